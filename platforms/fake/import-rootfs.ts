import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HarnessError } from '../../core/errors.js';
import type { ImageInfo, ImportSpec } from '../types.js';
import { fingerprintOf } from './ids.js';

/**
 * The image an import makes, not yet registered. The fake reads a root filesystem's tree
 * (paths, types, sizes, modes, mtimes) for its fingerprint but copies no file into it:
 * an instance of an imported image starts from the bare skeleton. It reads no image
 * files, being no platform with a format of its own.
 */
export async function importedImage(spec: ImportSpec, now: string): Promise<ImageInfo> {
  const { artifact } = spec;
  if (artifact.kind === 'image-file') {
    throw new HarnessError('NOT_SUPPORTED', `the fake platform reads no image files (${artifact.format}: ${artifact.path})`, { hint: 'hand it a rootfs artifact' });
  }
  const root = await lstat(artifact.dir).catch(() => undefined);
  if (root === undefined || !root.isDirectory()) {
    throw new HarnessError('IMAGE_NOT_FOUND', `the root filesystem ${artifact.dir} to import is not a directory`, { hint: 'build it first: npx harness image build' });
  }
  const tree: string[] = [];
  let sizeBytes = 0;
  for (const path of (await readdir(artifact.dir, { recursive: true })).sort()) {
    const entry = await lstat(join(artifact.dir, path));
    if (entry.isFile()) sizeBytes += entry.size;
    tree.push(`${entry.isDirectory() ? 'd' : entry.isFile() ? 'f' : 'o'} ${path} ${entry.size} ${entry.mode} ${entry.mtimeMs}`);
  }
  const descriptor = [artifact.architecture, artifact.os, artifact.release, artifact.description];
  const fingerprint = fingerprintOf(['import', ...descriptor, ...tree]);
  return {
    ref: spec.aliases[0] ?? fingerprint,
    fingerprint,
    aliases: [...spec.aliases],
    properties: { architecture: artifact.architecture, os: artifact.os, release: artifact.release, description: artifact.description, ...spec.properties },
    createdAt: now,
    sizeBytes,
  };
}
