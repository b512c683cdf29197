import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { execa, ExecaError } from 'execa';
import { HarnessError, UsageError } from '../../core/errors.js';

/**
 * What a source tree is, as far as a build of it goes: the commit and every uncommitted
 * change, untracked files included and ignored ones left out (for a git checkout), or
 * every file (for a tree without git). Two trees with the same key build the same
 * package, so the key names the cached build; a one-line edit changes it.
 */
export interface TreeIdentity {
  /** sha256 of the content the build reads. */
  readonly key: string;
  /** Undefined for a tree that is not a git checkout. */
  readonly git: GitState | undefined;
}

export interface GitState {
  readonly commit: string;
  /** `git describe` as upstream's tools/read-version asks it, with `-dirty` when anything is uncommitted. */
  readonly describe: string;
  readonly dirty: boolean;
}

/** One path `git status` reports, with what is in the working tree there now. */
export interface ChangedPath {
  readonly path: string;
  /** sha256 of the file's bytes (`x` marks it executable), `link:<target>`, `dir`, or `deleted`. */
  readonly content: string;
}

/** Upstream's read-version describes with these; a describe that finds no tag this way makes bddeb stop. */
const DESCRIBE_ARGS = ['describe', '--abbrev=8', '--match=[0-9]*'] as const;

export async function readTreeIdentity(dir: string): Promise<TreeIdentity> {
  if (!(await isGitCheckout(dir))) return { key: await hashAllFiles(dir), git: undefined };
  const commit = (await git(dir, ['rev-parse', '--verify', 'HEAD^{commit}'], 'has no commit yet', 'commit the tree first')).trim();
  const changed = await changedPaths(dir);
  const describe = (await gitMaybe(dir, [...DESCRIBE_ARGS])) ?? (await git(dir, ['rev-parse', '--short=8', 'HEAD'], 'has no commit yet', 'commit the tree first')).trim();
  return {
    key: identityKey(commit, changed),
    git: { commit, describe: versionOf(describe, changed.length > 0), dirty: changed.length > 0 },
  };
}

/** Whether `describe` found an annotated tag: bddeb needs one to name its version. */
export async function describesFromTag(dir: string): Promise<boolean> {
  return (await gitMaybe(dir, [...DESCRIBE_ARGS])) !== undefined;
}

export function versionOf(describe: string, dirty: boolean): string {
  return dirty ? `${describe}-dirty` : describe;
}

export function identityKey(commit: string, changed: readonly ChangedPath[]): string {
  const lines = [...changed].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((entry) => `${entry.path}\0${entry.content}`);
  return createHash('sha256').update(`git ${commit}\n${lines.join('\n')}`).digest('hex');
}

/**
 * `git status --porcelain=v1 -z --no-renames`: one `XY path` per NUL-terminated entry.
 * The status letters are left out on purpose: a file staged or not, added or untracked,
 * builds the same, so only what the path holds counts.
 */
export function parseStatusZ(output: string): string[] {
  return output
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3));
}

async function changedPaths(dir: string): Promise<ChangedPath[]> {
  const status = await git(dir, ['status', '--porcelain=v1', '-z', '--no-renames', '--untracked-files=all'], 'cannot be read by git status', 'run git status in it to see why');
  const paths = [...new Set(parseStatusZ(status))];
  return Promise.all(paths.map(async (path) => ({ path, content: await contentOf(join(dir, path)) })));
}

async function contentOf(path: string): Promise<string> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) return 'deleted';
  if (info.isSymbolicLink()) return `link:${await readlink(path)}`;
  if (info.isDirectory()) return 'dir';
  const hash = createHash('sha256').update(await readFile(path)).digest('hex');
  return info.mode & 0o111 ? `x${hash}` : hash;
}

/** A tree without git (`apt-get source` unpacks one): every file, by path, kind and content. */
async function hashAllFiles(dir: string): Promise<string> {
  const entries: string[] = [];
  const walk = async (at: string): Promise<void> => {
    const names = (await readdir(at)).sort();
    for (const name of names) {
      const path = join(at, name);
      const info = await lstat(path);
      if (info.isDirectory()) await walk(path);
      else entries.push(`${relative(dir, path)}\0${await contentOf(path)}`);
    }
  };
  await walk(dir);
  return createHash('sha256').update(`files\n${entries.join('\n')}`).digest('hex');
}

/**
 * A tree is a checkout when it has .git of its own (a folder, or a file in a worktree); a
 * tree without one is hashed file by file even when it sits inside someone else's
 * checkout (`apt-get source` run in a project folder).
 */
export async function isGitCheckout(dir: string): Promise<boolean> {
  if (!existsSync(join(dir, '.git'))) return false;
  const top = (await git(dir, ['rev-parse', '--show-toplevel'], 'has a .git that git cannot read', 'run git status in it to see why')).trim();
  const [mine, its] = await Promise.all([realpath(dir), realpath(top)]);
  if (mine !== its) throw new UsageError(`--build source: ${dir} has a .git but git says its checkout is ${its}`, `give ${its}`);
  return true;
}

/**
 * The tree may belong to another user than the one running the harness (a checkout in a
 * home directory, the harness run with sudo for LXD); git then refuses to read it unless
 * told it is safe, and reading is all the harness does there.
 */
export function gitArgs(dir: string, args: readonly string[]): string[] {
  return ['-c', `safe.directory=${dir}`, '-C', dir, ...args];
}

async function gitMaybe(dir: string, args: readonly string[]): Promise<string | undefined> {
  const result = await execa('git', gitArgs(dir, args), { reject: false, stdin: 'ignore', env: { GIT_OPTIONAL_LOCKS: '0' } });
  if ('code' in result && result.code === 'ENOENT') throw gitMissing(dir);
  return result.exitCode === 0 ? result.stdout : undefined;
}

async function git(dir: string, args: readonly string[], failure: string, hint: string): Promise<string> {
  try {
    // No optional locks: reading the tree must not rewrite its index behind the developer's back.
    return (await execa('git', gitArgs(dir, args), { stdin: 'ignore', env: { GIT_OPTIONAL_LOCKS: '0' }, stripFinalNewline: false })).stdout;
  } catch (error) {
    if (error instanceof ExecaError && error.code === 'ENOENT') throw gitMissing(dir);
    const why = error instanceof ExecaError ? String(error.stderr ?? '').trim().split('\n').at(-1) : String(error);
    throw new UsageError(`--build source: ${dir} ${failure}: ${why}`, hint);
  }
}

function gitMissing(dir: string): HarnessError {
  return new HarnessError('SETUP', `${dir} is a git checkout, and git is not installed to read it`, { hint: 'install it: apt-get install -y git' });
}
