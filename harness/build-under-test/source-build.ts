import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { execa, ExecaError } from 'execa';
import { AbortedError, HarnessError, UsageError } from '../../core/errors.js';
import { readConfig } from '../config.js';
import { BUILD_PROFILES, checkDependencySource, ensureBuildDepends, type HostContext, type SourceMethod } from './build-depends.js';
import { formatClause, parseUnmetList } from './depends.js';
import { makeScratchTree } from './scratch-tree.js';
import { failedLogPath, findCachedBuild, makeWorkDir, storeBuild } from './source-build-cache.js';
import { describesFromTag, readTreeIdentity, type TreeIdentity } from './tree-identity.js';

/**
 * `--build source:<dir>`: a tree is built on the host the way its own packaging does it,
 * then treated as the .deb(s) it produced. A tree with debian/ (Debian's source package,
 * `apt-get source cloud-init`) is built with dpkg-buildpackage; an upstream git checkout
 * with packages/bddeb with that script, which derives the version from git. The build
 * runs in a scratch copy and is kept by the tree's identity, so an unchanged tree is
 * built once.
 */
export type { SourceMethod } from './build-depends.js';

export type SourceBuildOptions = HostContext;

/** A tree checked before anything is contacted: how it builds, and what it is. */
export interface SourceTree {
  readonly dir: string;
  readonly method: SourceMethod;
  readonly identity: TreeIdentity;
}

/** Raise when how a tree is built changes in a way the tree does not show (flags, environment), so older cached builds are not taken for new ones. */
const SOURCE_BUILD_RECIPE = 1;

/**
 * Cloud-init's unit tests take minutes and need more packages; the integration tests are
 * what this run is for. The profile drops `<!nocheck>` build dependencies as well.
 */
const BUILD_ENV = { DEB_BUILD_OPTIONS: 'nocheck', DEB_BUILD_PROFILES: BUILD_PROFILES };

/** Where Debian's own tools and interpreter live; they go first, ahead of a pyenv or venv in PATH (bddeb's helpers run `env python3`). */
const DEBIAN_PATH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

const OUTPUT_TAIL_LINES = 3;

/** Cheap: says how `dir` builds and reads its identity, or says why it cannot be built. Runs before anything is launched. */
export async function checkSourceTree(dir: string): Promise<SourceTree> {
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
    throw new UsageError(`--build source: ${dir} is not a folder`, 'give a cloud-init source tree (a git checkout, or `apt-get source cloud-init`)');
  }
  const method = methodOf(dir);
  await checkDependencySource(dir, method);
  const identity = await readTreeIdentity(dir);
  if (method === 'bddeb' && !(await describesFromTag(dir))) {
    throw new UsageError(
      `--build source: ${dir} has no annotated tag that git describe finds (--match=[0-9]*), and packages/bddeb names its version from one`,
      'fetch upstream\'s tags (git fetch --tags https://github.com/canonical/cloud-init), or, in a checkout of your own, tag a commit: git tag -a 24.1 -m 24.1',
    );
  }
  return { dir, method, identity };
}

function methodOf(dir: string): SourceMethod {
  if (existsSync(join(dir, 'debian', 'control'))) return 'dpkg-buildpackage';
  if (existsSync(join(dir, 'packages', 'bddeb'))) {
    if (!existsSync(join(dir, '.git'))) {
      throw new UsageError(`--build source: ${dir} has packages/bddeb but is not a git checkout`, 'bddeb derives the version from git: use a clone, or a tree with debian/');
    }
    return 'bddeb';
  }
  throw new UsageError(`--build source: ${dir} has neither debian/control nor packages/bddeb`, 'give the top of a cloud-init tree');
}

/** What the tree is, for the lines a person reads: its git describe, or, without git, the hash of its files. */
export function treeVersion(tree: SourceTree): string {
  return tree.identity.git?.describe ?? `files ${tree.identity.key.slice(0, 12)}`;
}

export function buildKey(tree: SourceTree): string {
  return createHash('sha256').update(JSON.stringify({ recipe: SOURCE_BUILD_RECIPE, method: tree.method, tree: tree.identity.key })).digest('hex');
}

/** Builds the tree (or takes its earlier build) and returns the absolute paths of the .debs. */
export async function buildSourceTree(tree: SourceTree, options: SourceBuildOptions): Promise<readonly string[]> {
  const { dir, method } = tree;
  const cacheDir = readConfig(options.env, false).cacheDir;
  const key = buildKey(tree);
  const cached = await findCachedBuild(cacheDir, key);
  if (cached !== undefined) {
    options.log(`reusing the build of ${dir} at ${treeVersion(tree)} from ${cached.meta.builtAt} (same tree, not built again): ${cached.meta.debs.join(', ')}`);
    return cached.debs;
  }

  await ensureBuildDepends(dir, method, options);
  const work = await makeWorkDir(cacheDir);
  try {
    const scratch = await makeScratchTree(dir, tree.identity, join(work, 'tree'), options.signal);
    // The copy must be of the tree the key names: an edit saved meanwhile would be cached under the old key.
    if ((await readTreeIdentity(dir)).key !== tree.identity.key) {
      throw new UsageError(`--build source: ${dir} changed while it was being copied for its build`, 'run again once the edits are saved');
    }
    const scratchNote = scratch.scratchCommit === undefined ? '' : `; its uncommitted changes are committed as ${scratch.scratchCommit.slice(0, 8)} in the copy, as bddeb builds commits only`;
    options.log(`building ${dir} at ${treeVersion(tree)} with ${method} (DEB_BUILD_OPTIONS=nocheck) in a copy under ${work}${scratchNote}`);
    const started = performance.now();
    const failedLog = failedLogPath(cacheDir, key);
    const built = method === 'bddeb' ? await bddeb(scratch.dir, failedLog, options) : await dpkgBuildpackage(scratch.dir, failedLog, options);
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    const stored = await storeBuild(cacheDir, work, built.debs, built.output, { key, dir, method, describe: tree.identity.git?.describe, builtAt: new Date().toISOString(), seconds });
    options.log(`built ${dir} in ${seconds} s: ${stored.meta.debs.join(', ')}`);
    return stored.debs;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface Built {
  readonly debs: readonly string[];
  readonly output: string;
}

async function bddeb(tree: string, failedLog: string, options: SourceBuildOptions): Promise<Built> {
  const output = await run(join(tree, 'packages', 'bddeb'), [], tree, failedLog, options);
  // bddeb moves each file it made into its cwd and says so: `Wrote 'cloud-init_24.1-1~bddeb_all.deb'`.
  const debs = [...output.matchAll(/^Wrote '([^']+\.deb)'$/gm)].map((match) => resolve(tree, match[1] ?? ''));
  if (debs.length === 0) {
    await writeFile(failedLog, output);
    throw new HarnessError('IMAGE_BUILD', 'packages/bddeb finished without saying which .deb it wrote', { hint: `look at its output in ${failedLog}` });
  }
  return { debs, output };
}

async function dpkgBuildpackage(tree: string, failedLog: string, options: SourceBuildOptions): Promise<Built> {
  const output = await run('dpkg-buildpackage', ['-b', '-uc', '-us'], tree, failedLog, options);
  return { debs: await debsInChanges(await changesFile(tree, failedLog, options)), output };
}

/** Where dpkg-buildpackage -b puts its .changes: beside the tree, named by source, version (no epoch) and host architecture. */
async function changesFile(tree: string, failedLog: string, options: SourceBuildOptions): Promise<string> {
  const source = (await run('dpkg-parsechangelog', ['-S', 'Source'], tree, failedLog, options)).trim();
  const version = (await run('dpkg-parsechangelog', ['-S', 'Version'], tree, failedLog, options)).trim().replace(/^\d+:/, '');
  const arch = (await run('dpkg-architecture', ['-qDEB_HOST_ARCH'], tree, failedLog, options)).trim();
  return resolve(dirname(tree), `${source}_${version}_${arch}.changes`);
}

/**
 * The .debs the build made, as its .changes lists them (`Files:` lines end in the name).
 * Reading them there, rather than globbing, never picks up a stale .deb of an earlier build.
 */
async function debsInChanges(changes: string): Promise<string[]> {
  const text = await readFile(changes, 'utf8').catch(() => undefined);
  if (text === undefined) throw new HarnessError('IMAGE_BUILD', `dpkg-buildpackage finished but wrote no ${basename(changes)}`);
  const files = /^Files:\n((?: .*\n?)*)/m.exec(text)?.[1] ?? '';
  const debs = files.split('\n').map((line) => line.trim().split(/\s+/).at(-1) ?? '').filter((name) => name.endsWith('.deb'));
  if (debs.length === 0) throw new HarnessError('IMAGE_BUILD', `${basename(changes)} lists no .deb`);
  return debs.map((name) => resolve(dirname(changes), name));
}

/** Runs a build step in the scratch tree; a failure keeps the whole output in `failedLog` and says where it is. */
async function run(file: string, args: readonly string[], cwd: string, failedLog: string, options: SourceBuildOptions): Promise<string> {
  const path = [...DEBIAN_PATH, ...(options.env.PATH ?? '').split(':').filter((entry) => entry !== '' && !DEBIAN_PATH.includes(entry))].join(':');
  try {
    const result = await execa(file, args, { cwd, env: { ...BUILD_ENV, PATH: path }, stdin: 'ignore', all: true, cancelSignal: options.signal });
    return result.all;
  } catch (error) {
    if (error instanceof ExecaError && (error.isCanceled || options.signal.aborted)) throw new AbortedError(file);
    const all = error instanceof ExecaError && typeof error.all === 'string' ? error.all : String(error);
    await writeFile(failedLog, `$ ${[file, ...args].join(' ')}\n${all}\n`);
    const tail = all.split('\n').filter((line) => line.trim() !== '').slice(-OUTPUT_TAIL_LINES).join(' / ');
    const unmet = /Unmet build dependencies: (.*)$/m.exec(all)?.[1];
    throw new HarnessError('IMAGE_BUILD', `${basename(file)} failed: ${tail}`, {
      hint:
        unmet === undefined
          ? `the whole output is in ${failedLog}`
          : `the build asks for more than its tree named: install it (apt-get satisfy '${parseUnmetList(unmet).map(formatClause).join(', ')}'), then run again; the whole output is in ${failedLog}`,
      cause: error,
    });
  }
}
