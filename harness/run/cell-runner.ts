import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectorScript, DEFAULT_COLLECTORS, DEFAULT_FILES } from '../../collectors/index.js';
import type { CaseCollect, TestCase } from '../../testcases/case.js';
import type { CellExpectations } from '../../testcases/expectations.js';
import type { AccessKey, Instance, Labels, Platform } from '../../platforms/types.js';
import { AbortedError, describeError, HarnessError } from '../../core/errors.js';
import type { CellImage, CellPhase, CellRecord, PhaseTiming } from '../../results-schema/cell-record.js';
import { harvestScript } from '../harvest/bundle.js';
import { extractHarvest } from '../harvest/extract.js';
import { CELL_FILE, CONSOLE_FILE, USER_DATA_FILE } from '../../results-schema/layout.js';
import type { CellUpgrade } from '../build-under-test/upgrade-flow.js';
import { waitForBoot } from '../readiness/cloud-init-wait.js';

export type { CellPhase };

export interface CellSpec {
  readonly testCase: TestCase;
  readonly image: CellImage;
  readonly expectations: CellExpectations;
  readonly instanceName: string;
  readonly labels: Labels;
  readonly accessKey: AccessKey;
  /** Absolute folder for this cell's harvest. */
  readonly dir: string;
  /** Relative to the run folder, as recorded in cell.json. */
  readonly relativeDir: string;
  /** Set for --upgrade-from: after the first boot, install the build, reboot, and wait again before the harvest. */
  readonly upgrade?: CellUpgrade;
}

export interface CellOutcome {
  readonly record: CellRecord;
  /** Still running when the caller asked to keep it (for --keep-failed). */
  readonly keptInstance: Instance | undefined;
}

const HARVEST_TIMEOUT_MS = 120_000;

/**
 * One case on one image: launch → wait (→ upgrade → reboot → wait) → harvest → destroy. The instance is destroyed
 * whatever happens (unless the caller keeps it), and whatever was harvested before a
 * failure stays on disk.
 */
export async function runCell(
  platform: Platform,
  spec: CellSpec,
  options: { readonly signal: AbortSignal; readonly keep: boolean; readonly onPhase: (phase: CellPhase) => void },
): Promise<CellOutcome> {
  const timings: PhaseTiming[] = [];
  let failure: { readonly error: unknown; readonly phase: CellPhase } | undefined;
  const warnings: string[] = [];
  const timed = async <T>(phase: CellPhase, work: () => Promise<T>): Promise<T> => {
    options.onPhase(phase);
    const startedAt = new Date();
    try {
      return await work();
    } catch (error) {
      // The first failure is the one that explains the cell; later ones follow from it.
      failure ??= { error, phase };
      throw error;
    } finally {
      timings.push({ phase, startedAt: startedAt.toISOString(), ms: Date.now() - startedAt.getTime() });
    }
  };
  await mkdir(spec.dir, { recursive: true });
  await writeFile(join(spec.dir, USER_DATA_FILE), spec.testCase.userData);

  let instance: Instance | undefined;
  try {
    instance = await timed('launching', () =>
      platform.launch({
        name: spec.instanceName,
        imageFingerprint: spec.image.fingerprint,
        userData: spec.testCase.userData,
        accessKey: spec.accessKey,
        labels: spec.labels,
        signal: options.signal,
      }),
    );
    const launched = instance;
    const boot = async (): Promise<void> => {
      try {
        await timed('booting', () => waitForBoot(platform, launched, spec.testCase.timeoutS, options.signal));
      } catch (error) {
        // A boot that timed out still has logs worth reading: harvest them, then report.
        if (options.signal.aborted) throw error;
      }
    };
    await boot();
    const { upgrade } = spec;
    if (upgrade !== undefined && failure === undefined) {
      try {
        // As a distro update reaches a running machine: install, reboot, and the judged boot is the next one.
        await timed('upgrading', async () => {
          await upgrade.install(launched, options.signal);
          await launched.restart(options.signal);
        });
        await boot();
      } catch (error) {
        if (options.signal.aborted) throw error;
      }
    }
    await timed('harvesting', () => harvest(platform, launched, spec, options.signal));
  } catch {
    // `timed` recorded it with its phase; an abort is told by the signal below.
  } finally {
    if (instance && !(options.keep && !options.signal.aborted)) {
      const doomed = instance;
      // A harvest already on disk stays judged: a leftover instance is the sweep's to remove, by its label.
      const destroyed = doomed.delete().then(
        () => undefined,
        (error: unknown) => error,
      );
      const destroyError = await timed('destroying', () => destroyed);
      if (destroyError !== undefined) warnings.push(`could not destroy ${spec.instanceName}: ${describeError(destroyError)}`);
      instance = undefined;
    }
  }

  const record: CellRecord = {
    case: spec.testCase.name,
    image: spec.image,
    expect: spec.expectations.expect,
    facts: spec.expectations.facts,
    platform: platform.name,
    instance: spec.instanceName,
    state: failure === undefined ? 'harvested' : 'failed-to-boot',
    reason: failure === undefined ? undefined : describeError(failure.error),
    errorCode: failure === undefined ? undefined : failure.error instanceof HarnessError ? failure.error.code : 'INTERNAL',
    ...(failure === undefined ? {} : { phase: failure.phase }),
    ...(warnings.length === 0 ? {} : { warnings }),
    ...(spec.expectations.xfail === undefined ? {} : { xfail: spec.expectations.xfail }),
    expectationsApplied: spec.expectations.applied,
    timings,
    dir: spec.relativeDir,
  };
  await writeCellRecord(spec.dir, record);
  if (failure?.error instanceof AbortedError || options.signal.aborted) throw new AbortedError(`case ${spec.testCase.name}`);
  return { record, keptInstance: instance };
}

export async function writeCellRecord(dir: string, record: CellRecord): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, CELL_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

async function harvest(platform: Platform, instance: Instance, spec: CellSpec, signal: AbortSignal): Promise<void> {
  const collect = withFacts(spec.testCase.collect, spec.expectations.facts);
  const scriptNames = [...new Set([...DEFAULT_COLLECTORS, ...collect.scripts])];
  const scripts = new Map(await Promise.all(scriptNames.map(async (name) => [name, await collectorScript(name)] as const)));
  const script = harvestScript({ scripts, commands: collect.commands, files: [...new Set([...DEFAULT_FILES, ...collect.files])] });
  const result = await instance.exec({ command: ['sh', '-s'], stdin: script, timeoutMs: HARVEST_TIMEOUT_MS, signal });
  if (result.exitCode !== 0) {
    throw new HarnessError('PLATFORM_API', `harvest script failed in ${instance.name} (exit ${result.exitCode}): ${result.stderr.toString('utf8').slice(0, 500)}`);
  }
  await extractHarvest(result.stdout, spec.dir);
  if (platform.capabilities.has('console-log')) {
    await writeFile(join(spec.dir, CONSOLE_FILE), await instance.consoleLog());
  }
}


/** `{{default_user}}` in a collected path or command becomes the image's fact of that name. */
function withFacts(collect: CaseCollect, facts: Readonly<Record<string, string>>): CaseCollect {
  const fill = (text: string): string => text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => facts[name] ?? whole);
  return {
    files: collect.files.map(fill),
    commands: Object.fromEntries(Object.entries(collect.commands).map(([name, command]) => [name, fill(command)])),
    scripts: collect.scripts,
  };
}
