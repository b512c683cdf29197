import type { CellState } from '../../results-schema/cell-record.js';
import type { CellPhase } from './cell-runner.js';

/** What the run loop tells whoever shows progress; the CLI's display is one such observer. */
export interface RunObserver {
  planned(plan: RunPlan): void;
  phase(cell: string, phase: CellPhase): void;
  cellFinished(cell: string, state: CellState, reason: string | undefined): void;
  /** A line about work before the cells start (preparing an image with the build); optional, as for reporters. */
  stage?(line: string): void;
  evaluating(): void;
  /** The run is over and its display should get out of the way of the summary. */
  done(): void;
}

export interface RunPlan {
  readonly runId: string;
  readonly runDir: string;
  readonly platform: string;
  readonly images: readonly string[];
  readonly concurrency: number;
  /** Things a person should know before the run starts (a check that could not be made). */
  readonly notes: readonly string[];
  /** The platform in its own words, e.g. `LXD 5.0.2, storage pool default (btrfs)`. */
  readonly platformSummary: string;
  /** What the build under test is and which images carry it; undefined without a build. */
  readonly build?: string | undefined;
  readonly cells: readonly { readonly key: string; readonly skipReason: string | undefined }[];
}

export const silentObserver: RunObserver = {
  planned: () => {},
  phase: () => {},
  cellFinished: () => {},
  evaluating: () => {},
  done: () => {},
};
