import { open, stat } from 'node:fs/promises';
import { execa } from 'execa';
import { HarnessError, UsageError } from '../../core/errors.js';
import { sha256File } from '../../core/host/sha256-file.js';
import type { DebArtifact } from './build-source.js';

/** Every .deb is an ar archive; anything else is not worth asking dpkg-deb about. */
const AR_MAGIC = Buffer.from('!<arch>\n', 'latin1');

/** Checks that `path` is a readable .deb and reads its name and version, as the instance's dpkg will see them. */
export async function inspectDeb(path: string): Promise<DebArtifact> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new UsageError(`--build deb: ${path} does not exist`, 'give the path of a .deb file');
  if (!info.isFile()) throw new UsageError(`--build deb: ${path} is not a file`, 'give the path of a .deb file');
  if (!(await startsWith(path, AR_MAGIC))) {
    throw new UsageError(`--build deb: ${path} is not a .deb (no ar archive header)`, 'give a package built by dpkg-deb or dpkg-buildpackage');
  }
  const fields = await execa('dpkg-deb', ['--field', path, 'Package', 'Version'], { reject: false, stdin: 'ignore' });
  // With reject: false a process that never started comes back as the error itself, carrying errno's code.
  if ('code' in fields && fields.code === 'ENOENT') {
    throw new HarnessError('SETUP', 'dpkg-deb is not installed, so the .deb cannot be checked', { hint: 'apt-get install dpkg' });
  }
  const parsed = Object.fromEntries(
    fields.stdout.split('\n').map((line) => /^([A-Za-z-]+):\s*(.*)$/.exec(line)).filter((match) => match !== null).map((match) => [match[1], match[2]]),
  );
  if (fields.exitCode !== 0 || !parsed.Package || !parsed.Version) {
    const why = fields.stderr.trim().split('\n').at(-1) || 'no Package or Version field';
    throw new UsageError(`--build deb: ${path} is not a valid .deb: ${why}`, `check it with: dpkg-deb --info ${path}`);
  }
  return { path, sha256: await sha256File(path), package: parsed.Package, version: parsed.Version };
}

async function startsWith(path: string, magic: Buffer): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(magic.length);
    const { bytesRead } = await handle.read(head, 0, magic.length, 0);
    return bytesRead === magic.length && head.equals(magic);
  } finally {
    await handle.close();
  }
}
