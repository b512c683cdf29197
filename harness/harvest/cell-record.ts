/** What cell.json says about one (case, image) pair: written by the run loop, read by the checks. */
export interface CellImage {
  readonly ref: string;
  readonly fingerprint: string;
  readonly cloudInitVersion: string | undefined;
}

export type CellState = 'harvested' | 'skipped' | 'failed-to-boot';

export interface PhaseTiming {
  readonly phase: string;
  readonly startedAt: string;
  readonly ms: number;
}

export interface CellRecord {
  readonly case: string;
  readonly image: CellImage;
  readonly platform: string;
  readonly instance: string | undefined;
  readonly state: CellState;
  /** Why the cell was skipped, or what went wrong before harvest finished. */
  readonly reason: string | undefined;
  readonly errorCode: string | undefined;
  readonly timings: readonly PhaseTiming[];
  /** Where the checks should look, relative to the run folder. */
  readonly dir: string;
}
