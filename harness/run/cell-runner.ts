import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { stringify } from 'yaml';
import { collectorScript, DEFAULT_COLLECTORS, DEFAULT_FILES } from '../../collectors/index.js';
import type { CaseCollect, TestCase } from '../../testcases/case.js';
import type { CellExpectations } from '../../testcases/expectations.js';
import type { AccessKey, Instance, Labels, Platform, Transport } from '../../platforms/types.js';
import { AbortedError, describeError, HarnessError } from '../../core/errors.js';
import type { BootRecord, CellImage, CellPhase, CellRecord, PhaseTiming } from '../../results-schema/cell-record.js';
import { harvestScript } from '../harvest/bundle.js';
import { extractHarvest } from '../harvest/extract.js';
import { BEFORE_REBOOT_COMMAND, bootDir, CELL_FILE, collectorPaths, CONSOLE_FILE, SEED_FILES, USER_DATA_FILE } from '../../results-schema/layout.js';
import { BOOT_ID_PATH } from '../../platforms/wait/index.js';
import type { CellUpgrade } from '../build-under-test/upgrade-flow.js';
import { waitForBoot, waitForOwnReboots } from '../readiness/cloud-init-wait.js';

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

/** At native speed; scaled, as boots are, by the platform's bootTimeoutFactor (a harvest runs python under emulation too). */
const HARVEST_TIMEOUT_MS = 120_000;

/**
 * One case on one image: launch → wait (→ upgrade → reboot → wait) → harvest (→ before_reboot
 * → reboot → wait → harvest, for each further boot) → destroy. The instance is destroyed
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
  await writeSeedFiles(spec.dir, spec.testCase);
  const wanted = spec.testCase.boots;
  const boots: BootRecord[] = [];

  let instance: Instance | undefined;
  // Kept apart from the instance, which is gone by the time the record is written.
  let servedBy: Transport | undefined;
  try {
    instance = await timed('launching', () =>
      platform.launch({
        name: spec.instanceName,
        imageFingerprint: spec.image.fingerprint,
        userData: spec.testCase.userData,
        ...spec.testCase.seed,
        ...(spec.testCase.transport === undefined ? {} : { transport: spec.testCase.transport }),
        accessKey: spec.accessKey,
        labels: spec.labels,
        signal: options.signal,
      }),
    );
    const launched = instance;
    servedBy = launched.transport ?? spec.testCase.transport;
    const boot = async (): Promise<void> => {
      try {
        await timed('booting', () => waitForBoot(platform, launched, spec.testCase.timeoutS, options.signal));
      } catch (error) {
        // A boot that timed out still has logs worth reading: harvest them, then report.
        if (options.signal.aborted) throw error;
      }
    };
    // The same collectors after every boot: one script, made at the first harvest.
    let script: Promise<string> | undefined;
    const harvestBoot = async (n: number): Promise<void> => {
      const dir = bootDir(spec.dir, n, wanted.count);
      await timed('harvesting', async () => harvest(platform, launched, await (script ??= harvestScriptOf(spec)), dir, options.signal));
      boots.push({ boot: n, dir: relative(spec.dir, dir) });
    };
    if (wanted.rebootBy === 'instance') {
      // Its own reboots (power_state) come while the harness waits: only the last boot holds still for a harvest.
      await timed('booting', () => waitForOwnReboots(platform, launched, wanted.count, spec.testCase.timeoutS, options.signal)).catch((error: unknown) => {
        if (options.signal.aborted) throw error;
      });
      await boot();
      for (let n = 1; n < wanted.count; n++) boots.push({ boot: n, dir: undefined });
      await harvestBoot(wanted.count);
    } else {
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
      await harvestBoot(1);
      for (let n = 2; n <= wanted.count; n++) {
        if (wanted.beforeReboot !== undefined) await runBeforeReboot(launched, wanted.beforeReboot, bootDir(spec.dir, n - 1, wanted.count), platform.limits.bootTimeoutFactor, options.signal);
        await timed('rebooting', () => launched.restart(options.signal));
        await boot();
        await harvestBoot(n);
      }
    }
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
    ...(servedBy === undefined ? {} : { transport: servedBy }),
    state: failure === undefined ? 'harvested' : 'failed-to-boot',
    reason: failure === undefined ? undefined : describeError(failure.error),
    errorCode: failure === undefined ? undefined : failure.error instanceof HarnessError ? failure.error.code : 'INTERNAL',
    ...(failure === undefined ? {} : { phase: failure.phase }),
    ...(warnings.length === 0 ? {} : { warnings }),
    ...(spec.expectations.xfail === undefined ? {} : { xfail: spec.expectations.xfail }),
    expectationsApplied: spec.expectations.applied,
    timings,
    ...(wanted.count > 1 ? { boots } : {}),
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

async function harvestScriptOf(spec: CellSpec): Promise<string> {
  const collect = withFacts(spec.testCase.collect, spec.expectations.facts);
  const scriptNames = [...new Set([...DEFAULT_COLLECTORS, ...collect.scripts])];
  const scripts = new Map(await Promise.all(scriptNames.map(async (name) => [name, await collectorScript(name)] as const)));
  // The boot id tells boots apart, from inside: a multi-boot case's checks compare them.
  return harvestScript({ scripts, commands: collect.commands, files: [...new Set([...DEFAULT_FILES, BOOT_ID_PATH, ...collect.files])] });
}

/**
 * The console log is kept whatever became of the harvest: when the collectors could not
 * run (a guest that hung, a harvest that timed out), it is the evidence that is left.
 */
async function harvest(platform: Platform, instance: Instance, script: string, dir: string, signal: AbortSignal): Promise<void> {
  try {
    const result = await instance.exec({ command: ['sh', '-s'], stdin: script, timeoutMs: HARVEST_TIMEOUT_MS * platform.limits.bootTimeoutFactor, signal });
    if (result.exitCode !== 0) {
      throw new HarnessError('PLATFORM_API', `harvest script failed in ${instance.name} (exit ${result.exitCode}): ${result.stderr.toString('utf8').slice(0, 500)}`);
    }
    await extractHarvest(result.stdout, dir);
  } finally {
    if (platform.capabilities.has('console-log')) {
      await mkdir(dir, { recursive: true });
      // A console that cannot be read loses only itself; what went wrong before is what the cell reports.
      await writeFile(join(dir, CONSOLE_FILE), await instance.consoleLog().catch((error: unknown) => `(the console could not be read: ${describeError(error)})\n`));
    }
  }
}

/** What the instance was given, beside its harvest: the evidence of what a verdict was about. */
async function writeSeedFiles(dir: string, testCase: TestCase): Promise<void> {
  await writeFile(join(dir, USER_DATA_FILE), testCase.userData);
  const { vendorData, metaData, networkConfig } = testCase.seed;
  if (vendorData !== undefined) await writeFile(join(dir, SEED_FILES.vendorData), vendorData);
  if (metaData !== undefined) await writeFile(join(dir, SEED_FILES.metaData), stringify(metaData));
  if (networkConfig !== undefined) await writeFile(join(dir, SEED_FILES.networkConfig), networkConfig);
}

/**
 * The case's own step between two boots. It is the case's, not the harness's: what it printed
 * and returned is kept with the boot before, and judged by the built-in checks, and the reboot
 * goes ahead either way.
 */
async function runBeforeReboot(instance: Instance, command: string, dir: string, timeFactor: number, signal: AbortSignal): Promise<void> {
  const result = await instance.exec({ command: ['sh', '-c', command], timeoutMs: HARVEST_TIMEOUT_MS * timeFactor, signal });
  const paths = collectorPaths(dir, BEFORE_REBOOT_COMMAND);
  await mkdir(dirname(paths.rc), { recursive: true });
  await Promise.all([writeFile(paths.out, result.stdout), writeFile(paths.err, result.stderr), writeFile(paths.rc, `${result.exitCode}\n`)]);
}


/** `{{default_user}}` in a collected path or command becomes the image's fact of that name. */
export function withFacts(collect: CaseCollect, facts: Readonly<Record<string, string>>): CaseCollect {
  const fill = (text: string): string => text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => facts[name] ?? whole);
  return {
    files: collect.files.map(fill),
    commands: Object.fromEntries(Object.entries(collect.commands).map(([name, command]) => [name, fill(command)])),
    scripts: collect.scripts,
  };
}
