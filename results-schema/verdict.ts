/**
 * How one cell was judged; run.json and every report carry it.
 *
 *   passed   every check ran and held
 *   failed   the product failed a check
 *   error    the harness or platform could not give an answer (launch, boot timeout
 *            before any log, harvest, a checks file that does not load, no check ran)
 *   skipped  not run, always with a reason
 *   xfailed  failed, as the cell's expected-failure mark says it will
 *   xpassed  passed although marked as an expected failure: the mark should go
 */
export type Verdict = 'passed' | 'failed' | 'error' | 'skipped' | 'xfailed' | 'xpassed';

export const VERDICTS: readonly Verdict[] = ['passed', 'failed', 'error', 'skipped', 'xfailed', 'xpassed'];

export type VerdictCounts = Readonly<Record<Verdict, number>>;

export interface CellVerdict {
  readonly verdict: Verdict;
  /** Set for an error: what kind of trouble kept the cell from an answer (core/errors.ts codes). */
  readonly errorCode: string | undefined;
  readonly failures: readonly { readonly test: string; readonly message: string }[];
}

export function countVerdicts(verdicts: readonly (Verdict | undefined)[]): VerdictCounts {
  const counts = Object.fromEntries(VERDICTS.map((verdict) => [verdict, 0])) as Record<Verdict, number>;
  for (const verdict of verdicts) if (verdict !== undefined) counts[verdict] += 1;
  return counts;
}
