import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Mocha from 'mocha';
import type { CellRecord } from '../../results-schema/cell-record.js';
import { HarvestedCell, setEvaluationContext } from '../../testcases/api.js';
import type { TestCase } from '../../testcases/case.js';
import type { CellVerdict, Verdict } from '../../results-schema/verdict.js';
import { registerBuiltinChecks } from './builtin-checks.js';

export type { CellVerdict, Verdict };

export interface EvaluateOptions {
  readonly runDir: string;
  readonly runId: string;
  readonly cells: readonly CellRecord[];
  readonly cases: ReadonlyMap<string, TestCase>;
  /** Where mocha's spec reporter writes; the CLI passes its own stream. */
  readonly reporterOutput: 'spec' | 'none';
}

const BUILTIN_ONLY = join(import.meta.dirname, 'builtin-suites.ts');

export function cellKey(record: Pick<CellRecord, 'case' | 'image'>): string {
  return `${record.case} [${record.image.ref}]`;
}

/**
 * Judges a harvested run with mocha: every case's checks file runs once per image the
 * case ran on. Writes junit.xml and allure-results/ into the run folder and returns a
 * verdict per cell. Reads nothing but the run folder.
 */
export async function evaluateRun(options: EvaluateOptions): Promise<Map<string, CellVerdict>> {
  const allureDir = join(options.runDir, 'allure-results');
  await mkdir(allureDir, { recursive: true });
  const extraReporters: unknown[] = [['mocha-junit-reporter', { mochaFile: join(options.runDir, 'junit.xml'), testsuitesTitle: `cloudproof ${options.runId}` }]];
  if (options.reporterOutput === 'spec') extraReporters.push('spec');
  const mocha = new Mocha({
    reporter: 'allure-mocha',
    reporterOptions: { resultsDir: allureDir, extraReporters },
    timeout: 10_000,
  });

  const cells = options.cells.map((record) => {
    const testCase = options.cases.get(record.case);
    if (!testCase) throw new Error(`cell ${cellKey(record)} names a case that was not loaded`);
    return new HarvestedCell(record, testCase, join(options.runDir, record.dir));
  });
  const suiteCells = new Map<Mocha.Suite, HarvestedCell>();
  setEvaluationContext({
    caseNames: () => [...new Set(cells.map((cell) => cell.testCase.name))],
    cellsOf: (caseName) => cells.filter((cell) => cell.testCase.name === caseName),
    registerSuite: (suite, cell) => suiteCells.set(suite, cell),
    builtinChecks: registerBuiltinChecks,
    declared: new Set(),
  });

  const casesRun = [...new Set(cells.map((cell) => cell.testCase))];
  for (const testCase of casesRun) {
    if (testCase.checksFile) mocha.addFile(testCase.checksFile);
  }
  mocha.addFile(BUILTIN_ONLY);

  const results = new Map<string, { failures: { test: string; message: string }[]; passed: number; skipped: number }>();
  for (const cell of cells) results.set(cellKey(cell.record), { failures: [], passed: 0, skipped: 0 });
  const cellOf = (test: Mocha.Runnable): HarvestedCell | undefined => {
    for (let suite = test.parent; suite; suite = suite.parent) {
      const cell = suiteCells.get(suite);
      if (cell) return cell;
    }
    return undefined;
  };

  try {
    // A fresh module instance per evaluation: checks files register their suites on import.
    await (mocha as unknown as MochaWithDecorator).loadFilesAsync({ esmDecorator: (file: URL | string) => withQuery(file, options.runId) });
    const failures = await new Promise<number>((resolve) => {
      const runner = mocha.run((count) => resolve(count));
      runner.on('pass', (test) => {
        const cell = cellOf(test);
        if (cell) results.get(cellKey(cell.record))!.passed++;
      });
      runner.on('pending', (test) => {
        const cell = cellOf(test);
        if (cell) results.get(cellKey(cell.record))!.skipped++;
      });
      runner.on('fail', (test, error: Error) => {
        const cell = cellOf(test);
        if (cell) results.get(cellKey(cell.record))!.failures.push({ test: test.title, message: error.message });
      });
    });
    void failures;
  } finally {
    setEvaluationContext(undefined);
    mocha.dispose();
  }

  const verdicts = new Map<string, CellVerdict>();
  for (const [key, result] of results) {
    const verdict: Verdict = result.failures.length > 0 ? 'failed' : result.passed > 0 ? 'passed' : 'skipped';
    verdicts.set(key, { verdict, failures: result.failures });
  }
  return verdicts;
}

// mocha 11 takes this option; its type definitions predate it.
interface MochaWithDecorator {
  loadFilesAsync(options: { esmDecorator: (file: URL | string) => URL }): Promise<void>;
}

function withQuery(file: URL | string, runId: string): URL {
  const url = file instanceof URL ? new URL(file.href) : file.startsWith('file:') ? new URL(file) : pathToFileURL(file);
  url.searchParams.set('cloudproof-run', runId);
  return url;
}
