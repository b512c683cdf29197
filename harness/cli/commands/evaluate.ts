import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { EXIT_FAILED_CASES, HarnessError } from '../../../core/errors.js';
import type { CellRecord } from '../../../results-schema/cell-record.js';
import { CELL_FILE, RUN_FILE } from '../../../results-schema/layout.js';
import type { RunManifest } from '../../../results-schema/run-manifest.js';
import type { CliContext } from '../context.js';

export function addEvaluateCommand(program: Command, context: CliContext): void {
  program
    .command('evaluate')
    .description('judge an already harvested run again, without booting anything (after editing checks)')
    .argument('<run-dir>', 'a results/<run-id> folder')
    .action(async (runDirArgument) => {
      const [{ collectorNames }, { loadCase }, { evaluateRun }] = await Promise.all([
        import('../../../collectors/index.js'),
        import('../../../testcases/loader.js'),
        import('../../evaluate/evaluate.js'),
      ]);
      const runDir = resolve(runDirArgument);
      const manifest = await readJson<RunManifest>(join(runDir, RUN_FILE), `${runDirArgument} is not a run folder (no ${RUN_FILE})`);
      const names = collectorNames();
      const cases = new Map(await Promise.all(manifest.cases.map(async (entry) => [entry.name, await loadCase(entry.file, names)] as const)));
      const records: CellRecord[] = [];
      for (const cell of manifest.cells.filter((entry) => entry.state !== 'not-run')) {
        records.push(await readJson<CellRecord>(join(runDir, cell.dir, CELL_FILE), `${cell.dir}/${CELL_FILE} is missing`));
      }
      const verdicts = await evaluateRun({ runDir, runId: `${manifest.runId}-again-${Date.now()}`, cells: records, cases, reporterOutput: 'spec' });
      const failed = [...verdicts.values()].filter((verdict) => verdict.verdict === 'failed').length;
      context.out(`${verdicts.size - failed} cell(s) without failures, ${failed} failed; junit.xml and allure-results/ rewritten in ${runDir}`);
      context.exitCode = failed > 0 ? EXIT_FAILED_CASES : 0;
    });
}

async function readJson<T>(path: string, problem: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    throw new HarnessError('USAGE', problem, { cause: error });
  }
}
