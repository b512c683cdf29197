import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { describeError } from '../../core/errors.js';
import { BASELINES_FILE } from '../../results-schema/layout.js';
import { openHistory } from './history/open-history.js';
import { JUDGED_ON_TIME } from './trends.js';

/** One series' baseline: the median of its newest runs that were judged on time. */
export interface Baseline {
  readonly image: string;
  readonly case: string;
  readonly boot: number;
  readonly stage: string;
  readonly module: string | undefined;
  readonly medianMs: number;
  /** How many runs the median is of. */
  readonly runs: number;
}

export interface BaselinesFile {
  readonly schema: 1;
  /** How many of each series' newest runs were looked at. */
  readonly lastRuns: number;
  readonly baselines: readonly Baseline[];
}

export const BASELINE_RUNS = 20;

/**
 * Written into the run folder before the run is judged, from the history without this
 * run: checks read a baseline from there and never from the history itself, so judging
 * the run again later gives the same verdicts. A history that cannot be read leaves no
 * file (a check then has no baseline) and a warning.
 */
export async function writeBaselines(historyFile: string, runDir: string, scope: { readonly platform: string; readonly cases: ReadonlySet<string> }): Promise<string | undefined> {
  try {
    const store = await openHistory(historyFile);
    let baselines: Baseline[];
    try {
      baselines = (await store.allSeries({ platform: scope.platform }))
        .filter((series) => scope.cases.has(series.key.case))
        .flatMap(({ key, points }) => {
          const judged = points.filter((point) => JUDGED_ON_TIME.has(point.verdict)).slice(-BASELINE_RUNS);
          if (judged.length === 0) return [];
          return [{ image: key.image, case: key.case, boot: key.boot, stage: key.stage, module: key.module, medianMs: median(judged.map((point) => point.ms)), runs: judged.length }];
        });
    } finally {
      await store.close();
    }
    const file: BaselinesFile = { schema: 1, lastRuns: BASELINE_RUNS, baselines };
    await writeFile(join(runDir, BASELINES_FILE), `${JSON.stringify(file, null, 2)}\n`);
    return undefined;
  } catch (error) {
    return `boot-time baselines not read from the history: ${describeError(error)}`;
  }
}
