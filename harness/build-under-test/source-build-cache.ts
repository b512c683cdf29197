import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * Builds of source trees, kept by the tree's identity: a second run of an unchanged tree
 * takes the .debs it built before instead of building again (a bddeb build of cloud-init
 * takes half a minute here), and, since the bytes are the same, finds the prepared image
 * made from them too.
 *
 *   <cacheDir>/source-builds/<key>/build.json   what was built, from what, when
 *   <cacheDir>/source-builds/<key>/*.deb         the packages
 *   <cacheDir>/source-builds/<key>/build.log     the build's whole output
 *   <cacheDir>/source-builds/<key>.failed.log    the output of the last failed build of that key
 *   <cacheDir>/source-builds/.work-XXXXXX/       a build in progress (the scratch tree)
 */
export interface CachedBuild {
  readonly debs: readonly string[];
  readonly meta: BuildMeta;
}

export interface BuildMeta {
  readonly key: string;
  readonly dir: string;
  readonly method: string;
  readonly describe: string | undefined;
  readonly builtAt: string;
  readonly seconds: number;
  readonly debs: readonly string[];
}

/** Enough for a developer's recent trees; each build is a megabyte or two. */
const KEEP_BUILDS = 16;
/** A work folder this old is a crashed build's: nothing still builds in it. */
const STALE_WORK_MS = 24 * 60 * 60 * 1000;
const META_FILE = 'build.json';
const BUILD_LOG = 'build.log';
const WORK_PREFIX = '.work-';

export function sourceBuildsDir(cacheDir: string): string {
  return join(cacheDir, 'source-builds');
}

/** Short enough for a path a person reads; the full key is in build.json and checked. */
function entryDir(cacheDir: string, key: string): string {
  return join(sourceBuildsDir(cacheDir), key.slice(0, 24));
}

export function failedLogPath(cacheDir: string, key: string): string {
  return `${entryDir(cacheDir, key)}.failed.log`;
}

export async function findCachedBuild(cacheDir: string, key: string): Promise<CachedBuild | undefined> {
  const dir = entryDir(cacheDir, key);
  const meta = await readFile(join(dir, META_FILE), 'utf8').then((text) => JSON.parse(text) as BuildMeta, () => undefined);
  if (meta?.key !== key) return undefined;
  const debs = meta.debs.map((name) => join(dir, name));
  if (!debs.every((path) => existsSync(path))) return undefined;
  // Recently used builds are the ones pruning keeps.
  const now = new Date();
  await utimes(join(dir, META_FILE), now, now);
  return { debs, meta };
}

export async function makeWorkDir(cacheDir: string): Promise<string> {
  await mkdir(sourceBuildsDir(cacheDir), { recursive: true });
  return mkdtemp(join(sourceBuildsDir(cacheDir), WORK_PREFIX));
}

/**
 * Moves the built .debs and the log into the cache under the key. Two runs building the
 * same tree at once both succeed: the second finds the first's entry and uses it.
 */
export async function storeBuild(cacheDir: string, workDir: string, debs: readonly string[], log: string, meta: Omit<BuildMeta, 'debs'>): Promise<CachedBuild> {
  const staged = join(workDir, 'entry');
  await mkdir(staged);
  const names = debs.map((path) => basename(path));
  for (const path of debs) await rename(path, join(staged, basename(path)));
  await writeFile(join(staged, BUILD_LOG), log);
  const full: BuildMeta = { ...meta, debs: names };
  await writeFile(join(staged, META_FILE), `${JSON.stringify(full, null, 2)}\n`);
  const dir = entryDir(cacheDir, meta.key);
  try {
    await rename(staged, dir);
  } catch {
    const existing = await findCachedBuild(cacheDir, meta.key);
    if (existing !== undefined) return existing;
    // An entry whose .debs someone deleted: this build replaces it.
    await rm(dir, { recursive: true, force: true });
    await rename(staged, dir);
  }
  await rm(failedLogPath(cacheDir, meta.key), { force: true });
  await pruneBuilds(cacheDir);
  return { debs: names.map((name) => join(dir, name)), meta: full };
}

async function pruneBuilds(cacheDir: string): Promise<void> {
  const root = sourceBuildsDir(cacheDir);
  const now = Date.now();
  const entries: { readonly path: string; readonly used: number }[] = [];
  for (const name of await readdir(root)) {
    const path = join(root, name);
    if (name.startsWith(WORK_PREFIX)) {
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined && now - info.mtimeMs > STALE_WORK_MS) await rm(path, { recursive: true, force: true });
      continue;
    }
    const used = await stat(join(path, META_FILE)).then((info) => info.mtimeMs, () => undefined);
    if (used !== undefined) entries.push({ path, used });
  }
  for (const entry of entries.sort((a, b) => b.used - a.used).slice(KEEP_BUILDS)) await rm(entry.path, { recursive: true, force: true });
}
