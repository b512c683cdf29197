import { mkdir } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import pLimit from 'p-limit';
import { collectorNames } from '../../collectors/index.js';
import { generateAccessKey } from '../../core/access-key.js';
import { builtImageAlias, IMAGE_PROPERTY } from '../../core/image-names.js';
import { checkLaunchLimits } from '../../platforms/limits.js';
import type { AccessKey, Instance, Platform } from '../../platforms/types.js';
import type { TestCase } from '../../testcases/case.js';
import { cellExpectations, loadExpectations, type ExpectationsFile } from '../../testcases/expectations.js';
import { loadCases } from '../../testcases/loader.js';
import { validateCloudConfigs } from './validate-cloud-config.js';
import { AbortedError, describeError, HarnessError, UsageError } from '../../core/errors.js';
import { checkBuildOptions, runBuildStage, type BuildOptions } from '../build-under-test/build-stage.js';
import { cellKey, evaluateRun, type CellVerdict } from '../evaluate/evaluate.js';
import type { CellImage, CellRecord } from '../../results-schema/cell-record.js';
import { cellDir } from '../../results-schema/layout.js';
import { harnessVersion } from '../version.js';
import type { CellUpgrade } from '../build-under-test/upgrade-flow.js';
import { runCell, writeCellRecord, type CellPhase } from './cell-runner.js';
import { planWork, type PlannedCell } from '../packing/work-units.js';
import { runSharedBoot } from '../packing/shared-boot.js';
import { runAgainAlone } from '../packing/rerun-alone.js';
import { manifestCell, summarize, writeManifest, type RunManifest, type StartedBy } from '../../results-schema/run-manifest.js';
import { writeRunReports, type RunReports } from '../../reports/run-reports.js';
import { recordRunInHistory } from '../../reports/trends/history/record-run.js';
import { writeBaselines } from '../../reports/trends/baselines.js';
import { withBootTimes } from '../../reports/trends/run-boot-times.js';
import type { RunObserver } from './observer.js';
import { instanceName, LABEL_CASE, LABEL_IMAGE, LABEL_RUN, newRunId } from '../../core/run-id.js';
import { runLabels } from '../../core/run-owner.js';
import { sweepGoneRuns } from '../gc/sweep.js';
import { selectCases, skipReason, type Selection } from './select.js';

export interface RunOptions {
  readonly platform: Platform;
  readonly imageRefs: readonly string[];
  readonly testcaseDirs: readonly string[];
  /** Applied in order after the case's own facts and expectations (testcases/expectations.ts). */
  readonly expectationFiles: readonly string[];
  /** Where `harness image build` keeps what it learnt about each image (its cloud-config schema). */
  readonly imageCacheDir: string;
  readonly selection: Selection;
  readonly concurrency?: number;
  readonly keepFailed: boolean;
  readonly resultsDir: string;
  readonly startedBy: StartedBy;
  readonly signal: AbortSignal;
  readonly observer: RunObserver;
  readonly reporterOutput: 'spec' | 'none';
  /** The build under test (harness/build/); without it, the images are tested as they are. */
  readonly build?: BuildOptions;
  /** The history file the run's boot times are recorded in (reports/trends/history/); none without it. */
  readonly historyFile?: string;
  /**
   * Cases whose cloud-configs can share a boot are packed into one (harness/packing/);
   * false (`--isolated`) boots every case alone. On unless said otherwise.
   */
  readonly shareBoots?: boolean;
  readonly now?: () => Date;
}

export interface KeptInstance {
  readonly cell: string;
  readonly howToReach: string;
}

export interface RunResult {
  readonly runId: string;
  readonly runDir: string;
  readonly manifest: RunManifest;
  readonly verdicts: ReadonlyMap<string, CellVerdict>;
  /** The reports beyond JUnit and Allure, written by the run itself. */
  readonly reports: RunReports;
  readonly kept: readonly KeptInstance[];
  readonly interrupted: boolean;
  /** Trouble after the run that changed no verdict (its boot times could not be recorded in the history). */
  readonly warnings?: readonly string[];
}

const keyOf = (cell: PlannedCell): string => cellKey({ case: cell.spec.testCase.name, image: cell.spec.image });

const NO_BUILD: BuildOptions = { source: { kind: 'none' }, upgradeFrom: undefined, env: {} };

/**
 * The whole run as one pipeline: validate → resolve images → prepare images with the
 * build under test → launch/wait/harvest/destroy each cell → sweep leftovers by label →
 * evaluate → record. Bad input stops it before anything is launched; an abort stops
 * launching, destroys what runs and still judges and records what was harvested.
 */
export async function runHarness(options: RunOptions): Promise<RunResult> {
  const now = options.now ?? (() => new Date());
  const { platform } = options;
  const concurrency = checkConcurrency(options.concurrency ?? platform.limits.defaultConcurrency, platform);

  const allCases = await loadCases(options.testcaseDirs, collectorNames());
  const cases = selectCases(allCases, options.selection);
  if (cases.length === 0) {
    throw new UsageError(`no test case matches the selection (${allCases.length} cases in ${options.testcaseDirs.join(', ')})`, 'loosen --grep/--tag/--exclude-tag');
  }
  for (const testCase of cases) checkLaunchLimits(platform.limits, { userData: testCase.userData, what: testCase.file });
  const expectationFiles = await Promise.all(options.expectationFiles.map(loadExpectations));
  const buildOptions = options.build ?? NO_BUILD;
  const checkedBuild = await checkBuildOptions(buildOptions, platform);
  await platform.connect();
  // A run killed with kill -9 left its instances; without this they pile up on a CI host (never a live run's).
  await sweepGoneRuns(platform, (line) => options.observer.stage?.(line));
  const images = await resolveImages(platform, options.imageRefs);
  const build = await checkedBuild.resolve({ env: buildOptions.env, log: (line) => options.observer.stage?.(line), signal: options.signal });
  const notes = await validateCloudConfigs(cases, images, build, expectationFiles, options.imageCacheDir, platform.name);

  const startedAt = now();
  const runId = newRunId(startedAt);
  const runDir = resolve(options.resultsDir, runId);
  await mkdir(runDir, { recursive: true });
  const accessKey = generateAccessKey(`cloudproof-${runId}`);
  const buildStage = await runBuildStage({ platform, images, build, tree: checkedBuild.tree, options: buildOptions, runId, runDir, accessKey, signal: options.signal, say: (line) => options.observer.stage?.(line) });
  // Before anything is judged, and from the history without this run: checks that compare a boot time read it from the run folder.
  const baselineWarning = options.historyFile === undefined ? undefined : await writeBaselines(options.historyFile, runDir, { platform: platform.name, cases: new Set(cases.map((testCase) => testCase.name)) });
  const planned = planCells({ runId, runDir, cases, images: buildStage.images, expectationFiles, platform, upgrade: buildStage.upgrade, accessKey });
  const description = await platform.describe();

  const baseManifest = {
    schema: 1 as const,
    runId,
    harness: { version: harnessVersion(), node: process.version },
    startedBy: options.startedBy,
    startedAt: startedAt.toISOString(),
    platform: { name: platform.name, summary: description.summary, facts: description.facts, limits: platform.limits, readiness: platform.readiness.description },
    build: buildStage.record,
    images: buildStage.images,
    concurrency,
    cases: cases.map((testCase) => ({ name: testCase.name, file: testCase.file, sha256: testCase.sha256 })),
    expectationFiles: expectationFiles.map((file) => resolve(file.file)),
  };
  const records = new Map<string, CellRecord>();
  const manifestNow = (state: RunManifest['state'], verdicts: ReadonlyMap<string, CellVerdict>, crash?: string): RunManifest =>
    buildManifest(baseManifest, state, state === 'running' ? undefined : now().toISOString(), planned, records, verdicts, crash);
  await writeManifest(runDir, manifestNow('running', new Map()));

  options.observer.planned({
    runId,
    runDir,
    platform: platform.name,
    images: images.map((image) => image.ref),
    concurrency,
    notes,
    platformSummary: description.summary,
    build: buildStage.summary,
    cells: planned.map((cell) => ({ key: cellKey({ case: cell.spec.testCase.name, image: cell.spec.image }), skipReason: cell.skipReason })),
  });

  // Whatever happens from here on, run.json gets its final state and every report is written.
  let state: RunManifest['state'] = 'crashed';
  let crash: string | undefined;
  let verdicts: ReadonlyMap<string, CellVerdict> = new Map();
  let ended: { manifest: RunManifest; reports: RunReports } | undefined;
  let historyWarning: string | undefined;
  const keptForLook: KeptInstance[] = [];
  let interrupted = false;
  try {
    const kept = new Map<string, Instance>();
    const limit = pLimit(concurrency);
    const cellOptions = (keys: readonly string[]) => ({
      signal: options.signal,
      keep: options.keepFailed,
      onPhase: (phase: CellPhase) => {
        for (const key of keys) options.observer.phase(key, phase);
      },
    });
    const finished = (record: CellRecord): void => {
      records.set(cellKey(record), record);
      options.observer.cellFinished(cellKey(record), record.state, record.reason);
    };
    const runAlone = async (cell: PlannedCell): Promise<CellRecord> => {
      const outcome = await runCell(platform, cell.spec, cellOptions([keyOf(cell)]));
      if (outcome.keptInstance) kept.set(keyOf(cell), outcome.keptInstance);
      return outcome.record;
    };
    const work = planWork(planned, { share: options.shareBoots !== false && !options.keepFailed && buildStage.upgrade === undefined, platform, runId, runDir, accessKey });
    const settled = await Promise.allSettled(
      work.map((unit) =>
        limit(async () => {
          if (unit.kind === 'skipped') {
            const record = skippedRecord(unit.cell, platform.name, unit.reason);
            await writeCellRecord(unit.cell.spec.dir, record);
            finished(record);
            return;
          }
          if (options.signal.aborted) return;
          if (unit.kind === 'alone') finished(await runAlone(unit.cell));
          else for (const record of await runSharedBoot(platform, unit.boot, cellOptions(unit.cells.map(keyOf)))) finished(record);
        }),
      ),
    );
    const casesByName = new Map(cases.map((testCase) => [testCase.name, testCase]));
    settled.push(
      ...(await runAgainAlone({
        planned,
        records,
        keyOf,
        judge: (cells) => evaluateRun({ runDir, runId, cells, cases: casesByName, reporterOutput: 'none' }),
        runAlone: (cell) => limit(() => runAlone(cell)),
        finished,
        signal: options.signal,
        say: (line) => options.observer.stage?.(line),
      })),
    );
    interrupted = options.signal.aborted;
    const unexpected = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected' && !(result.reason instanceof AbortedError));

    // Anything launched but lost track of (a launch cut short, a crash in a cell, a failed destroy) still carries the run's label.
    // An instance the sweep cannot remove either is the one leak that fails the run, after the harvest is judged.
    const keptNames = new Set([...kept.values()].map((instance) => instance.name));
    const leak = await sweepLeftovers(platform, runId, interrupted ? new Set() : keptNames).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (interrupted) kept.clear();

    options.observer.evaluating();
    const harvested = [...records.values()];
    verdicts = harvested.length > 0 ? await evaluateRun({ runDir, runId, cells: harvested, cases: casesByName, reporterOutput: options.reporterOutput }) : new Map<string, CellVerdict>();

    for (const [key, instance] of kept) {
      // An error (a boot that never finished, a harvest that broke) is as worth a look as a failure.
      const verdict = verdicts.get(key)?.verdict;
      if (verdict === 'failed' || verdict === 'error') keptForLook.push({ cell: key, howToReach: instance.howToReach() });
      else await instance.delete();
    }
    if (unexpected !== undefined) throw unexpected.reason;
    // Every cell was judged: the run finished, and the leak still fails it, with the hint to remove what is left.
    state = interrupted ? 'interrupted' : 'finished';
    if (leak !== undefined) throw leak;
  } catch (error) {
    if (state === 'crashed') crash = describeError(error);
    throw error;
  } finally {
    // Boot times are read from the harvest after judging, so that they can change no verdict.
    const manifest = await withBootTimes(runDir, manifestNow(state, verdicts, crash));
    await writeManifest(runDir, manifest);
    historyWarning = options.historyFile === undefined ? undefined : await recordRunInHistory(options.historyFile, manifest, runDir);
    ended = { manifest, reports: await writeRunReports(runDir, manifest) };
    options.observer.done();
  }
  const warnings = [baselineWarning, historyWarning].filter((warning) => warning !== undefined);
  return { runId, runDir, manifest: ended.manifest, reports: ended.reports, verdicts, kept: keptForLook, interrupted, ...(warnings.length === 0 ? {} : { warnings }) };
}

async function resolveImages(platform: Platform, refs: readonly string[]): Promise<CellImage[]> {
  if (refs.length === 0) throw new UsageError('no image given', 'pass --image, e.g. --image debian/bookworm');
  const images: CellImage[] = [];
  for (const ref of new Set(refs)) {
    // `debian/bookworm` names the image `harness image build` made; anything else is the platform's own name.
    const image = (await platform.findImage(builtImageAlias(ref))) ?? (await platform.resolveImage(ref));
    images.push({ ref, fingerprint: image.fingerprint, cloudInitVersion: image.properties[IMAGE_PROPERTY.cloudInit] });
  }
  return images;
}

function checkConcurrency(concurrency: number, platform: Platform): number {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency must be a whole number ≥ 1, not ${concurrency}`);
  const { maxConcurrency } = platform.limits;
  if (maxConcurrency !== undefined && concurrency > maxConcurrency) {
    throw new UsageError(`--concurrency ${concurrency} is more than the ${platform.name} platform allows (${maxConcurrency})`, `pass --concurrency ${maxConcurrency} or less`);
  }
  return concurrency;
}

interface CellPlan {
  readonly runId: string;
  readonly runDir: string;
  readonly cases: readonly TestCase[];
  readonly images: readonly CellImage[];
  readonly expectationFiles: readonly ExpectationsFile[];
  readonly platform: Platform;
  readonly upgrade: CellUpgrade | undefined;
  readonly accessKey: AccessKey;
}

function planCells({ runId, runDir, cases, images, expectationFiles, platform, upgrade, accessKey }: CellPlan): PlannedCell[] {
  let index = 0;
  return images.flatMap((image) =>
    cases.map((testCase) => {
      index += 1;
      const dir = cellDir(runDir, testCase.name, image.ref);
      const expectations = cellExpectations(testCase, { image: image.ref, platform: platform.name, cloudInit: image.cloudInitVersion }, expectationFiles);
      return {
        spec: {
          testCase,
          image,
          expectations,
          instanceName: instanceName(runId, index, testCase.name),
          labels: { ...runLabels({ runId, runDir }), [LABEL_CASE]: testCase.name, [LABEL_IMAGE]: image.ref },
          accessKey,
          dir,
          relativeDir: relative(runDir, dir),
          ...(upgrade === undefined ? {} : { upgrade }),
        },
        skipReason: expectations.skip === undefined ? skipReason(testCase, platform, image) : `skipped by expectations: ${expectations.skip}`,
      };
    }),
  );
}

function skippedRecord(cell: PlannedCell, platform: string, reason: string): CellRecord {
  return {
    case: cell.spec.testCase.name,
    image: cell.spec.image,
    expect: cell.spec.expectations.expect,
    facts: cell.spec.expectations.facts,
    ...(cell.spec.expectations.xfail === undefined ? {} : { xfail: cell.spec.expectations.xfail }),
    expectationsApplied: cell.spec.expectations.applied,
    platform,
    instance: undefined,
    state: 'skipped',
    reason,
    errorCode: undefined,
    timings: [],
    dir: cell.spec.relativeDir,
  };
}

async function sweepLeftovers(platform: Platform, runId: string, keep: ReadonlySet<string>): Promise<void> {
  const leftovers = await platform.listByLabel({ [LABEL_RUN]: runId });
  const failures: unknown[] = [];
  await Promise.all(
    leftovers
      .filter((instance) => !keep.has(instance.name))
      .map((instance) => platform.destroy(instance.name).catch((error: unknown) => failures.push(error))),
  );
  if (failures.length > 0) {
    throw new HarnessError('PLATFORM_API', `could not remove ${failures.length} instance(s) of run ${runId}`, {
      hint: `run \`npx harness gc --run ${runId}\``,
      cause: new AggregateError(failures),
    });
  }
}

function buildManifest(
  base: Omit<RunManifest, 'state' | 'finishedAt' | 'cells' | 'summary' | 'crash'>,
  state: RunManifest['state'],
  finishedAt: string | undefined,
  planned: readonly PlannedCell[],
  records: ReadonlyMap<string, CellRecord>,
  verdicts: ReadonlyMap<string, CellVerdict>,
  crash: string | undefined,
): RunManifest {
  const cells = planned.map((cell) => {
    const key = cellKey({ case: cell.spec.testCase.name, image: cell.spec.image });
    return manifestCell({ case: cell.spec.testCase.name, image: cell.spec.image.ref, dir: cell.spec.relativeDir }, records.get(key), verdicts.get(key));
  });
  return { ...base, state, finishedAt, cells, summary: summarize(cells), ...(crash === undefined ? {} : { crash }) };
}
