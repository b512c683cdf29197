import { createHash } from 'node:crypto';
import type { SourceTreeRecord } from '../../results-schema/run-manifest.js';
import type { BuildSource, ResolvedBuild } from './build-source.js';
import { inspectDeb } from './deb-artifact.js';
import { buildSourceTree, checkSourceTree, type SourceBuildOptions, type SourceTree } from './source-build.js';

/**
 * The two halves of turning `--build` into something installable. `checkBuild` is cheap
 * and runs before the platform is even contacted, so that a missing file or a file that
 * is not a .deb stops the run with one line; `resolve` does the slow part (building a
 * source tree) once the run is known to be able to go ahead.
 */
export interface CheckedBuild {
  readonly kind: BuildSource['kind'];
  /** For a source tree: what it is (identity, git describe), known before anything is built. */
  readonly tree: SourceTreeRecord | undefined;
  resolve(options: SourceBuildOptions): Promise<ResolvedBuild>;
}

export async function checkBuild(source: BuildSource): Promise<CheckedBuild> {
  switch (source.kind) {
    case 'none':
      return ready(source);
    case 'deb': {
      const debs = [];
      for (const path of source.paths) debs.push(await inspectDeb(path));
      return ready({ kind: 'deb', debs });
    }
    case 'repo':
      return ready({ kind: 'repo', line: source.line, sha256: createHash('sha256').update(source.line.text).digest('hex') });
    case 'source': {
      const tree = await checkSourceTree(source.dir);
      return {
        kind: 'source',
        tree: treeRecord(tree),
        resolve: async (options) => {
          const paths = await buildSourceTree(tree, options);
          const debs = [];
          for (const path of paths) debs.push(await inspectDeb(path));
          return { kind: 'source', dir: source.dir, debs };
        },
      };
    }
  }
}

function treeRecord(tree: SourceTree): SourceTreeRecord {
  const git = tree.identity.git;
  return { method: tree.method, identity: tree.identity.key, commit: git?.commit, describe: git?.describe, dirty: git?.dirty };
}

function ready(build: ResolvedBuild): CheckedBuild {
  return { kind: build.kind, tree: undefined, resolve: async () => build };
}
