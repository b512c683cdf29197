/** How one cell was judged; run.json and every report carry it. */
export type Verdict = 'passed' | 'failed' | 'skipped';

export interface CellVerdict {
  readonly verdict: Verdict;
  readonly failures: readonly { readonly test: string; readonly message: string }[];
}
