import type { CellState } from '../harvest/cell-record.js';
import type { CellPhase } from './cell-runner.js';

/** What the run loop tells whoever shows progress; the CLI's display is one such observer. */
export interface RunObserver {
  planned(plan: RunPlan): void;
  phase(cell: string, phase: CellPhase): void;
  cellFinished(cell: string, state: CellState, reason: string | undefined): void;
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
  readonly cells: readonly { readonly key: string; readonly skipReason: string | undefined }[];
}

export const silentObserver: RunObserver = {
  planned: () => {},
  phase: () => {},
  cellFinished: () => {},
  evaluating: () => {},
  done: () => {},
};
