import { join } from 'node:path';
import type { RunManifest } from './run-manifest.js';
import type { Verdict, VerdictCounts } from './verdict.js';

/**
 * results/repeat-<first-run-id>.json: what `harness run --repeat N` found. Each
 * repetition is a whole run of its own, with its own results/<run-id>/; this file only
 * compares their run.json files cell by cell (case × image) and names every cell whose
 * verdict was not the same in every repetition that ran to its end.
 */
export interface RepeatReport {
  readonly schema: 1;
  /** The N of --repeat. */
  readonly asked: number;
  /** Every repetition that started, in order; only `finished` ones are compared. */
  readonly runs: readonly RepeatRun[];
  /** How many cases the first repetition ran, on which images: each ran on every image. */
  readonly cases: number;
  readonly images: readonly string[];
  /** What the harvest comparison reads and what it masks, in words (HARVEST_COMPARED). */
  readonly compared: string;
  /** The cells whose verdict changed between repetitions; empty when every verdict held. */
  readonly changed: readonly ChangedCell[];
}

export interface RepeatRun {
  /** 1-based. */
  readonly repetition: number;
  readonly runId: string;
  /** The run's folder, as given to the run (absolute). */
  readonly runDir: string;
  readonly state: RunManifest['state'];
  readonly summary: VerdictCounts;
}

export interface ChangedCell {
  readonly case: string;
  readonly image: string;
  /** One entry per compared repetition, in order. */
  readonly repetitions: readonly CellRepetition[];
  /**
   * The harvest of a reference repetition (the first that passed, else the first) against
   * the first repetition of each other verdict.
   */
  readonly differences: readonly HarvestDifference[];
}

export interface CellRepetition {
  readonly repetition: number;
  readonly runId: string;
  /** null: the cell was not in this repetition's run.json, or was never judged. */
  readonly verdict: Verdict | null;
  readonly errorCode: string | undefined;
  readonly reason: string | undefined;
  readonly failures: readonly { readonly test: string; readonly message: string }[];
  /** The cell's folder, relative to the results folder (`<run-id>/<case>/<image>`). */
  readonly dir: string;
}

export interface HarvestDifference {
  readonly reference: number;
  readonly other: number;
  /** Empty: the harvests are alike (after masking) and the change is in the judging or what it reads from elsewhere. */
  readonly files: readonly FileDifference[];
}

export interface FileDifference {
  /** Relative to the cell folder, e.g. `collectors/marker.out`, `files/var/log/cloud-init.log`. */
  readonly path: string;
  readonly kind: 'changed' | 'only-in-reference' | 'only-in-other';
  /** For a `changed` text file: the first compared line that differs, in each (masked, cut to 200 characters). */
  readonly referenceLine?: string;
  readonly otherLine?: string;
}

export function repeatReportPath(resultsDir: string, firstRunId: string): string {
  return join(resultsDir, `repeat-${firstRunId}.json`);
}
