import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HarnessError } from '../core/errors.js';

/**
 * The image builder's corner of the disk. What an image holds is kept beside the platform's
 * copy of it, by fingerprint, so that later steps (validating a case's cloud-config against
 * the image's own cloud-init schema) need neither the image nor an instance:
 *
 *   <cacheDir>/<fingerprint>/packages.txt                  `package version` per line
 *   <cacheDir>/<fingerprint>/schema-cloud-config-v1.json   absent before cloud-init 22.2
 *   <cacheDir>/by-alias/<alias, / as _>/                   the same, plus `fingerprint`
 *   <cacheDir>/build-XXXXXX/                               a build in progress (its rootfs/)
 */

const PACKAGES_FILE = 'packages.txt';
const SCHEMA_FILE = 'schema-cloud-config-v1.json';
const FINGERPRINT_FILE = 'fingerprint';

/** The cloud-config schema of the image with this fingerprint, if it was built here and has one. */
export function imageSchemaPath(cacheDir: string, fingerprint: string): string | undefined {
  const path = join(cacheDir, fingerprint, SCHEMA_FILE);
  return existsSync(path) ? path : undefined;
}

export function byAliasDir(cacheDir: string, alias: string): string {
  return join(cacheDir, 'by-alias', alias.replaceAll('/', '_'));
}

export interface ImageFacts {
  readonly fingerprint: string;
  readonly alias: string;
  readonly packageList: string;
  /** The schema's JSON text; undefined when the image's cloud-init ships none. */
  readonly schema: string | undefined;
}

export async function saveImageFacts(cacheDir: string, facts: ImageFacts): Promise<void> {
  const aliasDir = byAliasDir(cacheDir, facts.alias);
  // Replaced whole, so that a schema from the previous image cannot outlive it.
  await rm(aliasDir, { recursive: true, force: true });
  for (const dir of [join(cacheDir, facts.fingerprint), aliasDir]) {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, PACKAGES_FILE), facts.packageList);
    if (facts.schema !== undefined) await writeFile(join(dir, SCHEMA_FILE), facts.schema);
  }
  await writeFile(join(aliasDir, FINGERPRINT_FILE), `${facts.fingerprint}\n`);
}

export async function forgetImageFacts(cacheDir: string, fingerprint: string): Promise<void> {
  await rm(join(cacheDir, fingerprint), { recursive: true, force: true });
}

export async function makeWorkDir(cacheDir: string): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  return mkdtemp(join(cacheDir, 'build-'));
}

/**
 * Deletes a build's work dir, unless something is still mounted under it: a build killed
 * hard can leave mmdebstrap's /proc, /sys or /dev bind mounts in the tree, and a recursive
 * delete would then reach into the host's own.
 */
export async function removeWorkDir(workDir: string): Promise<void> {
  const mounted = mountPointsUnder(resolve(workDir), await readFile('/proc/self/mountinfo', 'utf8'));
  if (mounted.length > 0) {
    throw new HarnessError('IMAGE_BUILD', `left ${workDir} in place: ${mounted.join(', ')} still mounted`, {
      hint: `unmount them (umount -R ${mounted[0]}), then delete ${workDir}`,
    });
  }
  await rm(workDir, { recursive: true, force: true });
}

/** Mount points at or below `dir`, read from /proc/self/mountinfo's text. */
export function mountPointsUnder(dir: string, mountinfo: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => field !== undefined)
    .map((field) => field.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point) => point === dir || point.startsWith(prefix));
}
