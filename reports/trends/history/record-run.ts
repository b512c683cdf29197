import { describeError } from '../../../core/errors.js';
import type { RunManifest } from '../../../results-schema/run-manifest.js';
import { historyOf } from './from-manifest.js';
import { openSqliteHistory } from './sqlite-store.js';
import type { HistoryStore } from './store.js';

/** Records a run's boot times (already in its manifest) in one transaction; says whether it was there before. */
export async function recordRun(store: HistoryStore, manifest: RunManifest): Promise<{ readonly outcome: 'added' | 'replaced'; readonly timings: number }> {
  const { run, timings } = historyOf(manifest);
  return { outcome: await store.recordRun(run, timings), timings: timings.length };
}

/**
 * What a finished run does with its boot times: history is a by-product of the run, so a
 * store that cannot be opened or written is a warning to print, never a failed run.
 */
export async function recordRunInHistory(file: string, manifest: RunManifest): Promise<string | undefined> {
  try {
    const store = openSqliteHistory(file);
    try {
      await recordRun(store, manifest);
    } finally {
      await store.close();
    }
    return undefined;
  } catch (error) {
    return `boot times not recorded in the history: ${describeError(error)}`;
  }
}
