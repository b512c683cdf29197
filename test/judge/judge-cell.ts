import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { collectorNames } from '../../collectors/index.js';
import { cellKey, evaluateRun, type EvaluateOptions } from '../../harness/evaluate/evaluate.js';
import type { CellRecord } from '../../results-schema/cell-record.js';
import { collectorPaths, harvestedFilePath } from '../../results-schema/layout.js';
import type { CellVerdict } from '../../results-schema/verdict.js';
import type { TestCase } from '../../testcases/case.js';
import { loadCase } from '../../testcases/loader.js';

/** The API a checks file written by a test imports: the module under test, wherever the suite runs (Stryker runs it from a sandbox copy). */
export const API_MODULE = join(import.meta.dirname, '..', '..', 'testcases', 'api.ts');

/** What one harvested cell holds, as the collectors would have written it; an absent part is not harvested at all. */
export interface Harvest {
  /** The case file's text; its `name:` names the case (and its checks file), `the_case` without one. */
  readonly caseYaml: string;
  /** The checks file's body, beside the case; `describeCase` is imported for it. */
  readonly checks?: string;
  readonly status?: { readonly text: string; readonly exitCode?: number };
  readonly schemaExitCode?: number;
  readonly files?: Readonly<Record<string, string>>;
  readonly record?: Partial<CellRecord>;
}

export const DONE = JSON.stringify({ status: 'done', errors: [] });

/** A clean boot of case `name`: status done, a quiet log, a valid schema. */
export function cleanHarvest(name: string, extra: Partial<Harvest> = {}): Harvest {
  return {
    caseYaml: `name: ${name}\ndescription: a case of the judge's unit tests\ncloud_config: {}\n`,
    status: { text: DONE },
    schemaExitCode: 0,
    files: { '/var/log/cloud-init.log': '2026-01-01 00:00:00,000 - util.py[DEBUG]: all well\n' },
    ...extra,
  };
}

/** Writes one cell's harvest into a fresh run folder, judges it with the real evaluator and returns its verdict. */
export async function judgeCell(harvest: Harvest): Promise<CellVerdict> {
  const verdict = [...(await judgeCells([harvest])).values()][0];
  if (verdict === undefined) throw new Error('the evaluator returned no verdict for the one cell');
  return verdict;
}

/** Judges the cells of several cases in one evaluation, as a run does; the verdicts by case name. */
export async function judgeCells(harvests: readonly Harvest[]): Promise<Map<string, CellVerdict>> {
  const { options, cells, cleanup } = await writeRun(harvests);
  try {
    const verdicts = await evaluateRun(options);
    return new Map(cells.map((cell) => [cell.testCase.name, verdicts.get(cellKey(cell.record))!]));
  } finally {
    await cleanup();
  }
}

/** A run folder holding these harvests, and the options that judge it; `cleanup` removes it. */
export async function writeRun(harvests: readonly Harvest[]): Promise<{
  readonly runDir: string;
  readonly options: EvaluateOptions;
  readonly cells: readonly { readonly record: CellRecord; readonly testCase: TestCase }[];
  readonly cleanup: () => Promise<void>;
}> {
  const runDir = await mkdtemp(join(tmpdir(), 'cloudproof-judge-'));
  const cleanup = () => rm(runDir, { recursive: true, force: true });
  try {
    const cells = await Promise.all(harvests.map((harvest, index) => writeCell(runDir, `case${index}`, harvest)));
    const options: EvaluateOptions = {
      runDir,
      runId: 'judge',
      cells: cells.map((cell) => cell.record),
      cases: new Map(cells.map((cell) => [cell.testCase.name, cell.testCase])),
      reporterOutput: 'none',
    };
    return { runDir, options, cells, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function writeCell(runDir: string, folder: string, harvest: Harvest): Promise<{ readonly record: CellRecord; readonly testCase: TestCase }> {
  const caseDir = join(runDir, 'cases', folder);
  await mkdir(caseDir, { recursive: true });
  const stem = /^name: (\S+)$/m.exec(harvest.caseYaml)?.[1] ?? 'the_case';
  const caseFile = join(caseDir, `${stem}.yaml`);
  await writeFile(caseFile, harvest.caseYaml);
  if (harvest.checks !== undefined) {
    await writeFile(join(caseDir, `${stem}.checks.ts`), `import { describeCase } from ${JSON.stringify(API_MODULE)};\n${harvest.checks}\n`);
  }
  const testCase = await loadCase(caseFile, collectorNames());
  const dir = join(runDir, 'cells', folder);
  if (harvest.status !== undefined) await writeCommand(dir, 'cloud-init-status', harvest.status.text, harvest.status.exitCode ?? 0);
  if (harvest.schemaExitCode !== undefined) await writeCommand(dir, 'schema-system', harvest.schemaExitCode === 0 ? 'Valid schema\n' : 'Invalid schema: bad key\n', harvest.schemaExitCode);
  for (const [path, text] of Object.entries(harvest.files ?? {})) {
    const target = harvestedFilePath(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  const record: CellRecord = {
    case: testCase.name,
    image: { ref: 'debian/bookworm', fingerprint: 'f00d', cloudInitVersion: '22.4.2-1' },
    expect: testCase.expect,
    facts: testCase.facts,
    platform: 'fake',
    instance: 'cp-judge',
    state: 'harvested',
    reason: undefined,
    errorCode: undefined,
    timings: [],
    dir: join('cells', folder),
    ...(testCase.xfail === undefined ? {} : { xfail: testCase.xfail.reason }),
    ...harvest.record,
  };
  return { record, testCase };
}

async function writeCommand(dir: string, name: string, stdout: string, exitCode: number): Promise<void> {
  const paths = collectorPaths(dir, name);
  await mkdir(dirname(paths.out), { recursive: true });
  await writeFile(paths.out, stdout);
  await writeFile(paths.err, '');
  await writeFile(paths.rc, `${exitCode}\n`);
}
