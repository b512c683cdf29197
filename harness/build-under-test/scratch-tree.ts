import { copyFile, cp, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa, ExecaError } from 'execa';
import { AbortedError, HarnessError } from '../../core/errors.js';
import { gitArgs, type TreeIdentity } from './tree-identity.js';

/**
 * The copy of a source tree a build runs in. Builds write into their tree (dpkg-buildpackage
 * leaves debian/<package>/, build/ and .pybuild/; bddeb its tarball and .debs), which would
 * change the tree's identity and litter the developer's checkout; and bddeb reuses any
 * `cloud-init_<version>.orig.tar.gz` it finds beside it, stale or not. A fresh copy in a
 * fresh folder has neither problem.
 */
export interface ScratchTree {
  readonly dir: string;
  /** Set when uncommitted changes were committed in the copy, so that bddeb (which builds commits only) builds them. */
  readonly scratchCommit: string | undefined;
}

/** Fixed, so that the same uncommitted changes on the same commit always make the same scratch commit, and so the same version. */
const SCRATCH_AUTHOR = { GIT_AUTHOR_NAME: 'cloudproof', GIT_AUTHOR_EMAIL: 'cloudproof@localhost', GIT_COMMITTER_NAME: 'cloudproof', GIT_COMMITTER_EMAIL: 'cloudproof@localhost' };

/**
 * A git checkout is cloned (sharing its objects, so nothing big is copied) at its commit;
 * its uncommitted changes, untracked files included, are then committed in the clone on
 * top: bddeb's make-tarball exports HEAD and refuses a dirty tree. A tree without git is
 * copied file by file.
 */
export async function makeScratchTree(source: string, identity: TreeIdentity, dest: string, signal: AbortSignal): Promise<ScratchTree> {
  if (identity.git === undefined) {
    await cp(source, dest, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    return { dir: dest, scratchCommit: undefined };
  }
  const { commit, dirty } = identity.git;
  await git(['-c', `safe.directory=${source}`, 'clone', '--quiet', '--shared', '--no-checkout', source, dest], signal);
  await git(['-C', dest, 'checkout', '--quiet', '--detach', commit], signal);
  if (!dirty) return { dir: dest, scratchCommit: undefined };

  // The developer's own excludes apply, as they did when the identity was read.
  const exclude = (await git(gitArgs(source, ['rev-parse', '--path-format=absolute', '--git-path', 'info/exclude']), signal)).trim();
  const ownExclude = join(dest, '.git', 'info', 'exclude');
  await mkdir(dirname(ownExclude), { recursive: true });
  await copyFile(exclude, ownExclude).catch(() => undefined);
  const date = (await git(gitArgs(source, ['log', '-1', '--format=%cI', commit]), signal)).trim();
  const inClone = ['--git-dir', join(dest, '.git'), '--work-tree', source, '-c', `safe.directory=${source}`];
  await git([...inClone, 'add', '--all'], signal);
  await git(
    [...inClone, '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', 'commit', '--quiet', '--no-verify', '--allow-empty', '-m', `cloudproof: uncommitted changes of ${source}`],
    signal,
    { ...SCRATCH_AUTHOR, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
  );
  await git(['-C', dest, 'reset', '--quiet', '--hard'], signal);
  const scratchCommit = (await git(['-C', dest, 'rev-parse', 'HEAD'], signal)).trim();
  return { dir: dest, scratchCommit };
}

async function git(args: readonly string[], signal: AbortSignal, env: Readonly<Record<string, string>> = {}): Promise<string> {
  try {
    return (await execa('git', args, { stdin: 'ignore', env, cancelSignal: signal })).stdout;
  } catch (error) {
    if (signal.aborted) throw new AbortedError('git');
    const why = error instanceof ExecaError ? String(error.stderr ?? '').trim().split('\n').at(-1) : String(error);
    throw new HarnessError('IMAGE_BUILD', `copying the tree for its build failed: git ${args.join(' ')}: ${why}`, { cause: error });
  }
}
