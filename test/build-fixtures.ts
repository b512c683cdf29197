import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

/**
 * A real, tiny .deb, as dpkg-deb builds it, for tests that need a file dpkg accepts;
 * `files` (path in the package → content) are what it installs.
 */
export async function makeDeb(dir: string, name: string, version: string, files: Readonly<Record<string, string>> = {}): Promise<string> {
  const tree = join(dir, `${name}-${version}-tree`);
  await mkdir(join(tree, 'DEBIAN'), { recursive: true });
  await writeFile(join(tree, 'DEBIAN', 'control'), `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: t <t@example.invalid>\nDescription: test\n`);
  for (const [path, content] of Object.entries(files)) {
    const target = join(tree, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  const path = join(dir, `${name}_${version}_all.deb`);
  await execa('dpkg-deb', ['--root-owner-group', '-b', tree, path]);
  return path;
}
