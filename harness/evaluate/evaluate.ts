import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Mocha from 'mocha';
import type { CellRecord } from '../../results-schema/cell-record.js';
import { HarvestedCell, setEvaluationContext } from '../../testcases/api.js';
import type { TestCase } from '../../testcases/case.js';
import type { CellVerdict, Verdict } from '../../results-schema/verdict.js';
import { describeError, HarnessError } from '../../core/errors.js';
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
const ALLURE_DIR = 'allure-results';

export function cellKey(record: { readonly case: string; readonly image: { readonly ref: string } }): string {
  return `${record.case} [${record.image.ref}]`;
}

type Failure = CellVerdict['failures'][number];

/** What mocha reported for one cell. */
interface CellResult {
  readonly testFailures: Failure[];
  readonly hookFailures: Failure[];
  passed: number;
}

/**
 * Judges a harvested run with mocha: every case's checks file runs once per image the
 * case ran on. Writes junit.xml and allure-results/ (replacing what an earlier judgement
 * left) into the run folder and returns a verdict per cell. Reads nothing but the run
 * folder. Never throws for trouble in judging: an evaluation that crashes makes every
 * cell it could not judge an error, so the run still ends with an answer per cell.
 */
export async function evaluateRun(options: EvaluateOptions): Promise<Map<string, CellVerdict>> {
  try {
    return await judgeWithMocha(options);
  } catch (error) {
    const message = describeError(error);
    return new Map(
      options.cells.map((record) => [
        cellKey(record),
        record.state === 'skipped' ? { verdict: 'skipped', errorCode: undefined, failures: [] } : { verdict: 'error', errorCode: 'EVALUATION', failures: [{ test: 'evaluation', message }] },
      ]),
    );
  }
}

async function judgeWithMocha(options: EvaluateOptions): Promise<Map<string, CellVerdict>> {
  const allureDir = join(options.runDir, ALLURE_DIR);
  await rm(allureDir, { recursive: true, force: true });
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
    if (!testCase) throw new HarnessError('EVALUATION', `cell ${cellKey(record)} names a case that was not loaded`);
    return new HarvestedCell(record, testCase, join(options.runDir, record.dir));
  });
  const suiteCells = new Map<Mocha.Suite, HarvestedCell>();
  const loadErrors = new Map<string, string>();
  const declared = new Set<string>();
  let loading: { readonly file: string; readonly caseName: string } | undefined;
  setEvaluationContext({
    caseNames: () => [...new Set(cells.map((cell) => cell.testCase.name))],
    cellsOf: (caseName) => cells.filter((cell) => cell.testCase.name === caseName),
    registerSuite: (suite, cell) => suiteCells.set(suite, cell),
    builtinChecks: registerBuiltinChecks,
    declared,
    loading: () => loading,
    loadErrors,
  });

  const results = new Map<string, CellResult>(cells.map((cell) => [cellKey(cell.record), { testFailures: [], hookFailures: [], passed: 0 }]));
  const cellOf = (runnable: Mocha.Runnable): HarvestedCell | undefined => {
    for (let suite = runnable.parent; suite; suite = suite.parent) {
      const cell = suiteCells.get(suite);
      if (cell) return cell;
    }
    return undefined;
  };

  try {
    // A fresh module instance per evaluation: checks files register their suites on import.
    const evaluation = randomUUID();
    for (const testCase of new Set(cells.map((cell) => cell.testCase))) {
      if (testCase.checksFile === undefined) continue;
      loading = { file: testCase.checksFile, caseName: testCase.name };
      const problem = await loadChecksFile(mocha, testCase.checksFile, evaluation);
      if (problem !== undefined) {
        loadErrors.set(testCase.name, problem);
        // So that the built-in pass below gives its cells the one test that says why.
        declared.delete(testCase.name);
      }
    }
    loading = undefined;
    const builtinProblem = await loadChecksFile(mocha, BUILTIN_ONLY, evaluation);
    if (builtinProblem !== undefined) throw new HarnessError('EVALUATION', `the built-in checks did not load: ${builtinProblem}`);

    await new Promise<number>((resolve) => {
      const runner = mocha.run((count) => resolve(count));
      runner.on('pass', (test) => {
        const cell = cellOf(test);
        if (cell) results.get(cellKey(cell.record))!.passed++;
      });
      runner.on('fail', (runnable, error: Error) => {
        const cell = cellOf(runnable);
        if (!cell) return;
        const result = results.get(cellKey(cell.record))!;
        (runnable instanceof Mocha.Hook ? result.hookFailures : result.testFailures).push({ test: runnable.title, message: error.message });
      });
    });
  } finally {
    setEvaluationContext(undefined);
    mocha.dispose();
  }

  return new Map(cells.map((cell) => [cellKey(cell.record), verdictOf(cell, results.get(cellKey(cell.record))!, loadErrors.has(cell.testCase.name))]));
}

/**
 * The verdict rules. The product fails only where a check that ran says so; everything
 * that kept the harness from an answer is an error, never a pass or a skip.
 */
function verdictOf(cell: HarvestedCell, result: CellResult, checksDidNotLoad: boolean): CellVerdict {
  const { record } = cell;
  const failures = [...result.testFailures, ...result.hookFailures];
  if (record.state === 'skipped') return { verdict: 'skipped', errorCode: undefined, failures: [] };
  const error = (errorCode: string): CellVerdict => ({ verdict: 'error', errorCode, failures });
  let verdict: 'passed' | 'failed';
  if (record.state === 'failed-to-boot') {
    // cloud-init that never finished, with its log to show for it, is the product's failure; any other stop is the harness's.
    const productHung = record.phase === 'booting' && record.errorCode === 'BOOT_TIMEOUT' && cell.hasFile('/var/log/cloud-init.log');
    if (!productHung) return error(record.errorCode ?? 'INTERNAL');
    verdict = 'failed';
  } else if (checksDidNotLoad) {
    return error('CHECKS_FILE');
  } else if (result.testFailures.length > 0) {
    verdict = 'failed';
  } else if (result.hookFailures.length > 0) {
    return error('CHECKS_HOOK');
  } else if (result.passed === 0) {
    return error('NO_CHECKS_RAN');
  } else {
    verdict = 'passed';
  }
  if (record.xfail === undefined) return { verdict, errorCode: undefined, failures };
  return { verdict: verdict === 'failed' ? 'xfailed' : 'xpassed', errorCode: undefined, failures };
}

/**
 * Loads one checks file as mocha's own loader would (its pre-require, require and
 * post-require events) but on its own: mocha's loader stops at the first file that
 * throws, and one case's broken checks must not take every other case's with them.
 * Returns why the file did not load, having taken back what it registered.
 */
async function loadChecksFile(mocha: Mocha, file: string, evaluation: string): Promise<string | undefined> {
  const root = mocha.suite;
  const hooksBefore = hookCounts(root);
  const suitesBefore = root.suites.length;
  root.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, file, mocha);
  try {
    const loaded: unknown = await import(withQuery(file, evaluation).href);
    root.emit(Mocha.Suite.constants.EVENT_FILE_REQUIRE, loaded, file, mocha);
    root.emit(Mocha.Suite.constants.EVENT_FILE_POST_REQUIRE, globalThis, file, mocha);
  } catch (error) {
    root.suites.splice(suitesBefore);
    for (const kind of HOOK_KINDS) hooksOf(root)[kind].splice(hooksBefore[kind]);
    // The bdd interface keeps a stack of open describe()s: one the file threw out of stays
    // open, and every later describe would nest in the suite just taken back. A fresh
    // binding starts from the root again.
    for (const listener of root.listeners(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE)) {
      root.removeListener(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, listener as (...args: unknown[]) => void);
    }
    mocha.ui('bdd');
    return error instanceof HarnessError ? error.oneLine() : `${file}: ${describeError(error)}`;
  }
  confineRootHooks(root, hooksBefore, root.suites.slice(suitesBefore));
  return undefined;
}

const HOOK_KINDS = ['_beforeAll', '_beforeEach', '_afterAll', '_afterEach'] as const;
type HookKind = (typeof HOOK_KINDS)[number];

// mocha keeps a suite's hooks in these fields; its type definitions do not show them.
type SuiteHooks = Record<HookKind, Mocha.Hook[]>;

function hooksOf(suite: Mocha.Suite): SuiteHooks {
  return suite as unknown as SuiteHooks;
}

function hookCounts(suite: Mocha.Suite): Record<HookKind, number> {
  const hooks = hooksOf(suite);
  return { _beforeAll: hooks._beforeAll.length, _beforeEach: hooks._beforeEach.length, _afterAll: hooks._afterAll.length, _afterEach: hooks._afterEach.length };
}

/**
 * A root-level hook in a checks file would run around every case's tests, and one that
 * throws would stop them all: it is moved into the suites of the file that declared it.
 */
function confineRootHooks(root: Mocha.Suite, before: Record<HookKind, number>, fileSuites: readonly Mocha.Suite[]): void {
  const register: Record<HookKind, (suite: Mocha.Suite, fn: Mocha.Func | Mocha.AsyncFunc) => void> = {
    _beforeAll: (suite, fn) => suite.beforeAll(fn),
    _beforeEach: (suite, fn) => suite.beforeEach(fn),
    _afterAll: (suite, fn) => suite.afterAll(fn),
    _afterEach: (suite, fn) => suite.afterEach(fn),
  };
  for (const kind of HOOK_KINDS) {
    for (const hook of hooksOf(root)[kind].splice(before[kind])) {
      const { fn } = hook;
      if (fn === undefined) continue;
      for (const suite of fileSuites) register[kind](suite, fn);
    }
  }
}

function withQuery(file: string, evaluation: string): URL {
  const url = pathToFileURL(file);
  url.searchParams.set('cloudproof-evaluation', evaluation);
  return url;
}
