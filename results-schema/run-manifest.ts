import { join } from 'node:path';
import { writeAtomically } from '../core/host/atomic-write.js';
import type { BootTimes } from './boot-times.js';
import type { AppliedOverlay } from './case-expectations.js';
import type { CellImage, CellRecord } from './cell-record.js';
import { RUN_FILE } from './layout.js';
import { countVerdicts, type CellVerdict, type Verdict, type VerdictCounts } from './verdict.js';

/** The limits the platform declared for the run (platforms/types.ts PlatformLimits). */
export interface PlatformLimitsRecord {
  readonly userDataBytes: number | undefined;
  readonly defaultConcurrency: number;
  readonly maxConcurrency: number | undefined;
  readonly bootTimeoutFactor: number;
}

/** Facts a platform reports about itself, as recorded. */
export type PlatformFacts = Readonly<Record<string, string | number | boolean>>;

/**
 * run.json: what a run was and how it ended. Written when the run starts (state
 * "running") and again when it ends, so a killed run still leaves a record that says
 * which instances to look for. Later readers (trends, the CI farm) key on `schema`.
 */
export interface RunManifest {
  readonly schema: 1;
  readonly runId: string;
  /** `abandoned`: the run was killed without writing its end; `harness gc` found its owner gone and removed its instances. */
  readonly state: 'running' | 'finished' | 'interrupted' | 'crashed' | 'abandoned';
  readonly harness: { readonly version: string; readonly node: string };
  readonly startedBy: StartedBy;
  readonly startedAt: string;
  readonly finishedAt: string | undefined;
  readonly platform: {
    readonly name: string;
    readonly summary: string;
    readonly facts: PlatformFacts;
    readonly limits: PlatformLimitsRecord;
    /** What the driver waits for before cloud-init's own wait. */
    readonly readiness: string;
  };
  readonly build: BuildRecord;
  readonly images: readonly CellImage[];
  readonly concurrency: number;
  readonly cases: readonly { readonly name: string; readonly file: string; readonly sha256: string }[];
  /** The expectations files applied, in order, as absolute paths: `harness evaluate` applies them again as they are then. */
  readonly expectationFiles: readonly string[];
  readonly cells: readonly ManifestCell[];
  readonly summary: VerdictCounts;
  /** Why a `crashed` run stopped. */
  readonly crash?: string;
}

export type StartedBy = { readonly kind: 'cli'; readonly argv: readonly string[] } | { readonly kind: 'worker'; readonly jobId: string; readonly worker: string };

/** What was injected into the images; `none` proofs the image as it is. */
export type BuildRecord =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'deb' | 'source' | 'repo';
      /** prepared: every case booted from an image with the build installed; upgrade: each case installed it after a first boot. */
      readonly flow: 'prepared' | 'upgrade';
      /** What --build named: the .deb path(s), the source tree or the apt source line. */
      readonly source: string;
      /** The .debs installed (built from the tree, for source); none for a repository. */
      readonly artifacts: readonly { readonly path: string; readonly sha256: string; readonly package: string; readonly version: string }[];
      readonly images: readonly PreparedImageRecord[];
      /** What a source build was built from (absent for other kinds, and in records written before it existed). */
      readonly tree?: SourceTreeRecord;
    };

/** The tree a `--build source:` was built from, read before the build. */
export interface SourceTreeRecord {
  readonly method: 'bddeb' | 'dpkg-buildpackage';
  /** sha256 of what the build read: the commit and every uncommitted change, untracked files included (without git: every file). */
  readonly identity: string;
  /** Undefined for a tree that is not a git checkout, as are describe and dirty. */
  readonly commit: string | undefined;
  /** `git describe --abbrev=8 --match=[0-9]*`, as upstream's tools/read-version asks it, with `-dirty` when anything is uncommitted. */
  readonly describe: string | undefined;
  readonly dirty: boolean | undefined;
}

/** A package the image lacked that the build depends on: fetched on the host from the image's own archive and installed with the build. */
export interface ExtraPackageRecord {
  readonly package: string;
  readonly version: string;
  /** Which package's dependency pulled it in, e.g. `cloud-init Depends: python3-debconf`. */
  readonly reason: string;
}

export interface PreparedImageRecord {
  readonly ref: string;
  readonly baseFingerprint: string;
  /** Undefined in the upgrade flow, where cases boot the base image. */
  readonly preparedFingerprint: string | undefined;
  /** cloud-init's version as dpkg reported it in the preparation instance (recorded with the image when reused). */
  readonly installedVersion: string | undefined;
  readonly reused: boolean;
  readonly preparationSeconds: number;
  /** Installed with the build because the image lacked them (recorded with the image when reused); absent in older records. */
  readonly extraPackages?: readonly ExtraPackageRecord[];
}

export interface ManifestCell {
  readonly case: string;
  readonly image: string;
  readonly dir: string;
  readonly instance: string | undefined;
  /** Which path served the cell's exec and files, as cell.json says; absent where the platform has one and does not say. */
  readonly transport?: CellRecord['transport'];
  /** The boot this case shared with others, as cell.json says (harness/packing/); absent for a case that booted alone. */
  readonly sharedBoot?: CellRecord['sharedBoot'];
  readonly state: CellRecord['state'] | 'not-run';
  readonly verdict: Verdict | undefined;
  /** Set for verdict `error`: the code of what kept the cell from an answer. */
  readonly errorCode: string | undefined;
  readonly reason: string | undefined;
  /** The cell's expected-failure mark, when it has one. */
  readonly xfail?: string;
  /** What the expectations files changed for this cell, so that an excused WARNING is never silent. */
  readonly expectationsApplied?: readonly AppliedOverlay[];
  readonly warnings?: readonly string[];
  readonly failures: readonly { readonly test: string; readonly message: string }[];
  readonly timings: CellRecord['timings'];
  /** Every harvested boot's times, measured inside the guest; absent for a cell with no harvest, and in records written before they existed. */
  readonly bootTimes?: readonly BootTimes[];
}

/** One cell as run.json records it: where it lives, what happened to it and how it was judged. */
export function manifestCell(place: Pick<ManifestCell, 'case' | 'image' | 'dir'>, record: CellRecord | undefined, verdict: CellVerdict | undefined): ManifestCell {
  return {
    ...place,
    instance: record?.instance,
    ...(record?.transport === undefined ? {} : { transport: record.transport }),
    ...(record?.sharedBoot === undefined ? {} : { sharedBoot: record.sharedBoot }),
    state: record?.state ?? 'not-run',
    verdict: verdict?.verdict,
    errorCode: verdict?.errorCode,
    reason: record?.reason,
    ...(record?.xfail === undefined ? {} : { xfail: record.xfail }),
    ...(record?.expectationsApplied === undefined ? {} : { expectationsApplied: record.expectationsApplied }),
    ...(record?.warnings === undefined ? {} : { warnings: record.warnings }),
    failures: verdict?.failures ?? [],
    timings: record?.timings ?? [],
  };
}

export function summarize(cells: readonly ManifestCell[]): VerdictCounts {
  return countVerdicts(cells.map((cell) => cell.verdict));
}

export async function writeManifest(runDir: string, manifest: RunManifest): Promise<void> {
  // Two writers (a run and a gc marking it, two workers) may write it at once: each whole.
  await writeAtomically(join(runDir, RUN_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}
