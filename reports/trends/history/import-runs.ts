import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../../../core/errors.js';
import { RUN_FILE } from '../../../results-schema/layout.js';
import type { RunManifest } from '../../../results-schema/run-manifest.js';
import { withBootTimes } from '../run-boot-times.js';
import { recordRun } from './record-run.js';
import type { HistoryStore } from './store.js';

export interface ImportedRun {
  readonly runId: string;
  readonly runDir: string;
  readonly outcome: 'added' | 'replaced';
  readonly timings: number;
}

/**
 * `harness history import`: every folder is read before anything is written, so a typo in
 * the last one imports none. Boot times come from run.json, or from the harvest for a run
 * made before run.json kept them.
 */
export async function importRuns(store: HistoryStore, runDirs: readonly string[]): Promise<ImportedRun[]> {
  const runs = await Promise.all(runDirs.map(async (argument) => ({ runDir: resolve(argument), manifest: await readRun(argument) })));
  const imported: ImportedRun[] = [];
  for (const { runDir, manifest } of runs) {
    const { outcome, timings } = await recordRun(store, await withBootTimes(runDir, manifest));
    imported.push({ runId: manifest.runId, runDir, outcome, timings });
  }
  return imported;
}

async function readRun(argument: string): Promise<RunManifest> {
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(await readFile(join(resolve(argument), RUN_FILE), 'utf8')) as RunManifest;
  } catch {
    throw new UsageError(`${argument} is not a run folder (no readable ${RUN_FILE})`, 'name a results/<run-id> folder');
  }
  if (manifest.schema !== 1 || typeof manifest.runId !== 'string' || !Array.isArray(manifest.cells)) {
    throw new UsageError(`${argument}/${RUN_FILE} is not a run.json this harness reads (schema ${String(manifest.schema)})`);
  }
  if (manifest.state === 'running') {
    throw new UsageError(`${argument}: run ${manifest.runId} has not ended (run.json says running)`, 'import it once it has finished, or after `harness gc` marked it abandoned');
  }
  return manifest;
}
