import { describeError } from '../../../core/errors.js';
import type { RunManifest } from '../../../results-schema/run-manifest.js';
import { historyOf } from './from-manifest.js';
import { join } from 'node:path';
import { RUN_TRENDS_PAGE } from '../../../results-schema/layout.js';
import { trendsOf } from '../trends.js';
import { writeTrendsPage } from '../trends-page.js';
import { openHistory } from './open-history.js';
import type { HistoryStore } from './store.js';

/** Records a run's boot times (already in its manifest) in one transaction; says whether it was there before. */
export async function recordRun(store: HistoryStore, manifest: RunManifest): Promise<{ readonly outcome: 'added' | 'replaced'; readonly timings: number }> {
  const { run, timings } = historyOf(manifest);
  return { outcome: await store.recordRun(run, timings), timings: timings.length };
}

/**
 * What a finished run does with its boot times: records them, then writes the run's
 * trends page (RUN_TRENDS_PAGE: the history of every series this run measured, which
 * report.html links to). History is a by-product of the run, so a store that cannot be
 * opened or written is a warning to print, never a failed run.
 */
export async function recordRunInHistory(file: string, manifest: RunManifest, runDir: string): Promise<string | undefined> {
  try {
    const store = await openHistory(file);
    try {
      await recordRun(store, manifest);
      const measured = new Set(historyOf(manifest).timings.map((timing) => `${timing.image}\0${timing.case}`));
      if (measured.size > 0) {
        const series = (await store.allSeries({ platform: manifest.platform.name })).filter((entry) => measured.has(`${entry.key.image}\0${entry.key.case}`));
        await writeTrendsPage(join(runDir, RUN_TRENDS_PAGE), trendsOf(series), { title: `boot-time trends of the series run ${manifest.runId} measured` });
      }
    } finally {
      await store.close();
    }
    return undefined;
  } catch (error) {
    return `boot times not recorded in the history: ${describeError(error)}`;
  }
}
