import { resolve } from 'node:path';
import { writeAtomically } from '../../core/host/atomic-write.js';
import { repeatReportPath, type RepeatReport } from '../../results-schema/repeat.js';
import type { RunResult } from '../run/run-loop.js';
import { compareRuns } from './compare-runs.js';

export interface RepeatOptions {
  readonly times: number;
  /** Where each repetition writes its <run-id>/, and this writes repeat-<first-run-id>.json. */
  readonly resultsDir: string;
  readonly signal: AbortSignal;
  /** One whole run (runHarness with the same options each time); the caller wraps it in its display. */
  readonly runOnce: (repetition: number) => Promise<RunResult>;
}

export interface RepeatResult {
  /** Every repetition that returned, in order. */
  readonly results: readonly RunResult[];
  readonly report: RepeatReport;
  readonly reportPath: string;
  /** Ctrl-C: the repetition it came in finished its cleanup and no further one started. */
  readonly interrupted: boolean;
  /** What a repetition after the first threw: the ones before it are compared, then the caller rethrows it. */
  readonly error?: unknown;
}

/**
 * Runs the same run `times` times in sequence, each a normal run with its own run id and
 * folder, then compares them. The first repetition's errors (bad input, a platform that
 * is not there) are thrown as a single run's would be, with nothing written.
 */
export async function repeatRuns(options: RepeatOptions): Promise<RepeatResult> {
  const first = await options.runOnce(1);
  const results: RunResult[] = [first];
  let error: unknown;
  // Ctrl-C: the repetition it came in has cleaned up after itself (the run loop's part); none starts after it.
  while (results.length < options.times && !options.signal.aborted) {
    try {
      results.push(await options.runOnce(results.length + 1));
    } catch (thrown) {
      error = thrown;
      break;
    }
  }
  const report = await compareRuns(
    options.times,
    results.map((result, index) => ({ repetition: index + 1, runDir: result.runDir, manifest: result.manifest })),
  );
  const reportPath = repeatReportPath(resolve(options.resultsDir), first.runId);
  await writeAtomically(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  const interrupted = options.signal.aborted;
  return { results, report, reportPath, interrupted, ...(error === undefined ? {} : { error }) };
}
