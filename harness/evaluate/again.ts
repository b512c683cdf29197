import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { collectorNames } from '../../collectors/index.js';
import { HarnessError, UsageError } from '../../core/errors.js';
import { writeRunReports, type RunReports } from '../../reports/run-reports.js';
import { withBootTimes } from '../../reports/trends/run-boot-times.js';
import type { CellRecord } from '../../results-schema/cell-record.js';
import { CELL_FILE, RUN_FILE } from '../../results-schema/layout.js';
import { manifestCell, summarize, writeManifest, type RunManifest } from '../../results-schema/run-manifest.js';
import type { TestCase } from '../../testcases/case.js';
import { cellExpectations, loadExpectations } from '../../testcases/expectations.js';
import { loadCase } from '../../testcases/loader.js';
import { writeCellRecord } from '../run/cell-runner.js';
import { cellKey, evaluateRun, type CellVerdict } from './evaluate.js';

export interface EvaluatedAgain {
  readonly runDir: string;
  readonly manifest: RunManifest;
  readonly verdicts: ReadonlyMap<string, CellVerdict>;
  readonly reports: RunReports;
  /** Case files whose sha256 differs from the one recorded when the run was made. */
  readonly changedCases: readonly { readonly name: string; readonly file: string }[];
}

/**
 * `harness evaluate`: judges a harvested run again with its case files, checks files and
 * expectations files as they are now, and rewrites what judging wrote (every cell.json's
 * expectations, run.json's verdicts, junit.xml, allure-results/, report.html). The
 * harvest itself is never touched.
 */
export async function evaluateAgain(runDirArgument: string, options: { readonly reporterOutput: 'spec' | 'none' }): Promise<EvaluatedAgain> {
  const runDir = resolve(runDirArgument);
  const manifest = await readJson<RunManifest>(join(runDir, RUN_FILE), `${runDirArgument} is not a run folder (no readable ${RUN_FILE})`);
  const names = collectorNames();
  const cases = new Map<string, TestCase>();
  const changedCases: { name: string; file: string }[] = [];
  for (const entry of manifest.cases) {
    if (!existsSync(entry.file)) throw new UsageError(`case file ${entry.file} of case ${entry.name}, recorded in ${RUN_FILE}, no longer exists`);
    const testCase = await loadCase(entry.file, names);
    cases.set(entry.name, testCase);
    if (testCase.sha256 !== entry.sha256) changedCases.push({ name: entry.name, file: entry.file });
  }
  // A run.json written before the files were recorded applied none that can be named now.
  const expectationFiles = await Promise.all((manifest.expectationFiles ?? []).map(loadExpectations));

  const records = new Map<string, CellRecord>();
  for (const cell of manifest.cells.filter((entry) => entry.state !== 'not-run')) {
    const recorded = await readJson<CellRecord>(join(runDir, cell.dir, CELL_FILE), `${cell.dir}/${CELL_FILE} is missing or unreadable`);
    const testCase = cases.get(recorded.case);
    if (testCase === undefined) throw new UsageError(`${cell.dir}/${CELL_FILE} names case ${recorded.case}, which ${RUN_FILE} does not list`);
    const expectations = cellExpectations(testCase, { image: recorded.image.ref, platform: recorded.platform, cloudInit: recorded.image.cloudInitVersion }, expectationFiles);
    // A mark removed since the run is removed here too (JSON leaves out the undefined).
    const record: CellRecord = { ...recorded, expect: expectations.expect, facts: expectations.facts, xfail: expectations.xfail, expectationsApplied: expectations.applied };
    await writeCellRecord(join(runDir, cell.dir), record);
    records.set(cellKey(record), record);
  }
  if (records.size === 0) {
    throw new UsageError(`${runDirArgument} has no harvested or skipped cell to judge`, 'run the cases again with `harness run`');
  }

  const verdicts = await evaluateRun({ runDir, runId: manifest.runId, cells: [...records.values()], cases, reporterOutput: options.reporterOutput });
  const cells = manifest.cells.map((cell) => {
    const key = cellKey({ case: cell.case, image: { ref: cell.image } });
    return manifestCell({ case: cell.case, image: cell.image, dir: cell.dir }, records.get(key), verdicts.get(key));
  });
  // Boot times are read from the harvest after judging, so that they can change no verdict.
  const judged = await withBootTimes(runDir, { ...manifest, cells, summary: summarize(cells) });
  await writeManifest(runDir, judged);
  return { runDir, manifest: judged, verdicts, reports: await writeRunReports(runDir, judged), changedCases };
}

async function readJson<T>(path: string, problem: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    throw new HarnessError('USAGE', problem, { cause: error });
  }
}
