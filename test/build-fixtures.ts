import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** A real, tiny .deb, as dpkg-deb builds it, for tests that need a file dpkg accepts. */
export async function makeDeb(dir: string, name: string, version: string): Promise<string> {
  const tree = join(dir, `${name}-${version}-tree`);
  await mkdir(join(tree, 'DEBIAN'), { recursive: true });
  await writeFile(join(tree, 'DEBIAN', 'control'), `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: t <t@example.invalid>\nDescription: test\n`);
  const path = join(dir, `${name}_${version}_all.deb`);
  await execa('dpkg-deb', ['--root-owner-group', '-b', tree, path]);
  return path;
}
