import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BASELINES_FILE, bootDir, collectorPaths, harvestedFilePath, USER_DATA_FILE } from '../results-schema/layout.js';
import type { Baseline, BaselinesFile } from '../reports/trends/baselines.js';
import { cellBootTimes } from '../reports/trends/boot-times.js';
import { bootTimings } from '../reports/trends/history/from-manifest.js';
import type { BootRecord, CellRecord } from '../results-schema/cell-record.js';
import { CLOUD_INIT_LOG } from '../core/cloud-init-paths.js';
import { HarnessError } from '../core/errors.js';
import { BOOT_ID_PATH } from '../platforms/wait/boot-id.js';
import type { CaseExpectations, TestCase } from './case.js';
import { cloudInitSatisfies } from './cloud-init-version.js';
import { findLogProblems, formatFindings, unexpectedLogProblems } from './cloud-init-log.js';

/**
 * The API a case's `<name>.checks.ts` uses. Checks read only what was harvested into the
 * results folder, never the instance, so they can run again on an old run.
 *
 *     describeCase('write_files', (cell) => {
 *       it('writes the file', () => assert.equal(cell.file('/etc/motd'), 'hi\n'));
 *     });
 */

export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface CloudInitStatus {
  readonly status: string;
  readonly errors?: readonly string[];
  readonly recoverable_errors?: Readonly<Record<string, readonly string[]>>;
  readonly [key: string]: unknown;
}

export class MissingHarvestError extends Error {}

/** One case as it ran on one image: its record and everything harvested. */
export class HarvestedCell {
  readonly record: CellRecord;
  readonly testCase: TestCase;
  /** This boot's harvest: the cell's folder, or for an earlier boot of a multi-boot case its folder under boots/. */
  readonly dir: string;
  /** Which boot this is (1-based); a cell is its case's last boot. */
  readonly bootNumber: number;
  readonly #cellDir: string;

  constructor(record: CellRecord, testCase: TestCase, dir: string, bootNumber = testCase.boots.count) {
    this.record = record;
    this.testCase = testCase;
    this.#cellDir = dir;
    this.bootNumber = bootNumber;
    this.dir = bootDir(dir, bootNumber, testCase.boots.count);
  }

  /** How many boots the case asked for. */
  get bootCount(): number {
    return this.testCase.boots.count;
  }

  /** The kernel's boot id of this boot, harvested from inside the instance with the rest. */
  get bootId(): string | undefined {
    return this.hasFile(BOOT_ID_PATH) ? this.file(BOOT_ID_PATH).trim() : undefined;
  }

  /**
   * Boot `n` (1-based) of a multi-boot case, with this same API over what was harvested
   * after that boot: `cell.boot(1).file('/var/lib/x')` is the file as the first boot left it.
   */
  boot(n: number): HarvestedCell {
    const count = this.bootCount;
    if (!Number.isInteger(n) || n < 1 || n > count) {
      throw new RangeError(`boot(${n}): ${this.testCase.name} has ${count === 1 ? 'one boot, boot(1)' : `boots 1 to ${count}`} (set boots: in its YAML for more)`);
    }
    if (n === this.bootNumber) return this;
    if (n < count && this.#bootRecord(n)?.dir === undefined) {
      throw new MissingHarvestError(
        this.testCase.boots.rebootBy === 'instance'
          ? `boot ${n} of ${this.testCase.name} was not harvested: the instance rebooted itself (reboot: instance), so only its last boot holds still for a harvest`
          : `boot ${n} of ${this.testCase.name} was not harvested: the cell stopped before it (${this.record.reason ?? 'see cell.json'})`,
      );
    }
    return new HarvestedCell(this.record, this.testCase, this.#cellDir, n);
  }

  #bootRecord(n: number): BootRecord | undefined {
    return this.record.boots?.find((boot) => boot.boot === n);
  }

  get imageRef(): string {
    return this.record.image.ref;
  }

  get cloudInitVersion(): string | undefined {
    return this.record.image.cloudInitVersion;
  }

  /**
   * Whether the cloud-init this cell ran satisfies a semver range (`>=23.4`): for a check
   * whose expectation changed between releases. The package version is coerced to its
   * release (`22.4.2-1+deb12u4` is 22.4.2).
   */
  cloudInitIs(range: string): boolean {
    const satisfied = cloudInitSatisfies(this.cloudInitVersion ?? '', range);
    if (satisfied === undefined) throw new MissingHarvestError(`the cloud-init version of ${this.imageRef} is unknown ("${this.cloudInitVersion ?? ''}"), so "${range}" cannot be told`);
    return satisfied;
  }

  /** What this case expects on this image: its own `expect`, as expectations files changed it. */
  get expect(): CaseExpectations {
    return this.record.expect;
  }

  /**
   * A fact about the image this cell ran on (the default user's name, a path), from the
   * case's `facts` and the expectations files, so a check need not hard-code one distro.
   */
  fact(name: string): string {
    const value = this.record.facts[name];
    if (value === undefined) {
      throw new MissingHarvestError(`no fact "${name}" for ${this.imageRef}: add it under facts: in the case or in an expectations file (--expectations)`);
    }
    return value;
  }

  /** A file copied out of the instance (listed in the case's `collect.files`), as text. */
  file(path: string): string {
    return this.fileBytes(path).toString('utf8');
  }

  fileBytes(path: string): Buffer {
    const harvested = harvestedFilePath(this.dir, path);
    if (!existsSync(harvested)) {
      const listed = this.testCase.collect.files.includes(path) || path.startsWith('/var/log/cloud-init');
      throw new MissingHarvestError(
        listed ? `${path} does not exist in the instance` : `${path} was not harvested: add it to collect.files in ${this.testCase.name}'s YAML`,
      );
    }
    return readFileSync(harvested);
  }

  hasFile(path: string): boolean {
    return existsSync(harvestedFilePath(this.dir, path));
  }

  /** What a command from `collect.commands`, or a collector script, printed and returned. */
  command(name: string): CommandOutput {
    const paths = collectorPaths(this.dir, name);
    if (!existsSync(paths.rc)) {
      throw new MissingHarvestError(`no output of "${name}" was harvested: add it to collect.commands or collect.scripts in ${this.testCase.name}'s YAML`);
    }
    return {
      stdout: readFileSync(paths.out, 'utf8'),
      stderr: readFileSync(paths.err, 'utf8'),
      exitCode: Number(readFileSync(paths.rc, 'utf8').trim()),
    };
  }

  /** What a command from `collect.commands` printed, once it exited 0: a check that reads a command's answer needs it to have answered. */
  stdoutOf(name: string): string {
    const output = this.command(name);
    assert.equal(output.exitCode, 0, `"${name}" failed (exit ${output.exitCode}): ${(output.stdout + output.stderr).trim()}`);
    return output.stdout;
  }

  /** `cloud-init status --long --format json`, parsed. */
  status(): CloudInitStatus {
    const output = this.command('cloud-init-status');
    try {
      return JSON.parse(output.stdout) as CloudInitStatus;
    } catch {
      throw new MissingHarvestError(`cloud-init status did not print JSON (exit ${output.exitCode}): ${output.stdout.slice(0, 200)}${output.stderr.slice(0, 200)}`);
    }
  }

  /** /var/log/cloud-init.log, as this boot left it. */
  log(): string {
    return this.file(CLOUD_INIT_LOG);
  }

  /** /var/log/cloud-init-output.log */
  outputLog(): string {
    return this.file('/var/log/cloud-init-output.log');
  }

  /** The user-data the instance was given. */
  userData(): string {
    return readFileSync(join(this.#cellDir, USER_DATA_FILE), 'utf8');
  }

  /**
   * cloud-init.log of every boot up to this one, each once: a boot's log that the next boot
   * only appended to is left out (it is the start of the next), one a `before_reboot` cleaned
   * away is kept. The built-in log check judges this, so a WARNING of an earlier boot counts.
   */
  logOfAllBoots(): string {
    const logs = Array.from({ length: this.bootNumber }, (_, index) => index + 1).map((n) => {
      const boot = n === this.bootNumber ? this : this.#harvestedBoot(n);
      return boot?.hasFile(CLOUD_INIT_LOG) ? boot.log() : undefined;
    });
    return logs
      .filter((log, index): log is string => log !== undefined && !(logs.slice(index + 1).find((later) => later !== undefined)?.startsWith(log) ?? false))
      .join('\n');
  }

  #harvestedBoot(n: number): HarvestedCell | undefined {
    try {
      return this.boot(n);
    } catch (error) {
      if (error instanceof MissingHarvestError) return undefined;
      throw error;
    }
  }

  /**
   * This boot's time in ms, measured inside the guest: a stage (`init-local`, `init`,
   * `modules-config`, `modules-final`), a module of it (`modules-final`, `scripts_user`), or
   * cloud-init as a whole (`cloud-init`); undefined when the harvest has none.
   */
  async bootTime(stage: string, module?: string): Promise<number | undefined> {
    const times = (await cellBootTimes(this.#cellDir))?.find((boot) => boot.boot === this.bootNumber);
    return times === undefined ? undefined : bootTimings(times).find((row) => row.stage === stage && row.module === module)?.ms;
  }

  /** The same series' baseline before this run, from the run folder's baselines.json (written from the history when the run started); undefined without one. */
  baseline(stage: string, module?: string): Baseline | undefined {
    const runDir = resolve(this.#cellDir, ...this.record.dir.split('/').map(() => '..'));
    const path = join(runDir, BASELINES_FILE);
    if (!existsSync(path)) return undefined;
    const { baselines } = JSON.parse(readFileSync(path, 'utf8')) as BaselinesFile;
    return baselines.find(
      (entry) => entry.case === this.testCase.name && entry.image === this.imageRef && entry.boot === this.bootNumber && entry.stage === stage && (entry.module ?? undefined) === module,
    );
  }

  /** The WARNING/ERROR/Traceback lines of cloud-init.log this case does not expect, formatted for a failure message. */
  unexpectedLogLines(): string {
    const { expect } = this;
    return formatFindings(unexpectedLogProblems(this.log(), expect));
  }
}

export interface BaselineTolerance {
  readonly stage: string;
  readonly module?: string;
  /** Slower than the baseline's median by more than the larger of these fails. Defaults 50 ms and 20 %. */
  readonly toleranceMs?: number;
  readonly tolerancePercent?: number;
  /** A baseline of fewer runs is none: the test is then pending. Default 5. */
  readonly minRuns?: number;
}

/**
 * Asserts that this boot's stage or module took no longer than its baseline allows, the
 * baseline being the median of the series' newest runs before this one. Without a baseline
 * of enough runs the test is marked pending (there is nothing to be slower than):
 *
 *     it('init-local is no slower than it was', async function () {
 *       await assertNotSlowerThanBaseline(this, cell, { stage: 'init-local' });
 *     });
 */
export async function assertNotSlowerThanBaseline(test: Mocha.Context, cell: HarvestedCell, tolerance: BaselineTolerance): Promise<void> {
  const what = tolerance.module === undefined ? tolerance.stage : `${tolerance.stage}/${tolerance.module}`;
  const baseline = cell.baseline(tolerance.stage, tolerance.module);
  if (baseline === undefined || baseline.runs < (tolerance.minRuns ?? 5)) test.skip();
  const ms = await cell.bootTime(tolerance.stage, tolerance.module);
  if (ms === undefined) assert.fail(`no time for ${what} was measured in this boot`);
  const allowed = Math.max(tolerance.toleranceMs ?? 50, ((tolerance.tolerancePercent ?? 20) / 100) * baseline.medianMs);
  assert.ok(
    ms <= baseline.medianMs + allowed,
    `${what} took ${Math.round(ms)} ms, ${Math.round(ms - baseline.medianMs)} ms more than its baseline (median ${Math.round(baseline.medianMs)} ms of ${baseline.runs} runs); ${Math.round(allowed)} ms more is allowed`,
  );
}

/** Set by the evaluator before mocha loads the checks files. */
export interface EvaluationContext {
  readonly caseNames: () => readonly string[];
  readonly cellsOf: (caseName: string) => readonly HarvestedCell[];
  readonly registerSuite: (suite: Mocha.Suite, cell: HarvestedCell) => void;
  readonly builtinChecks: (cell: HarvestedCell) => void;
  /** Cases a checks file has declared so far. */
  readonly declared: Set<string>;
  /** The checks file being loaded and the case it belongs to (by its stem); undefined for the built-in pass. */
  readonly loading: () => { readonly file: string; readonly caseName: string } | undefined;
  /** Cases whose checks file did not load, and why: their cells get one failing test that says so. */
  readonly loadErrors: ReadonlyMap<string, string>;
}

// A vendor's checks may import this module through their own copy of the package; a
// global symbol keeps the context shared however the module was resolved.
const CONTEXT_KEY = Symbol.for('cloudproof.evaluation-context');

export function setEvaluationContext(context: EvaluationContext | undefined): void {
  (globalThis as Record<symbol, unknown>)[CONTEXT_KEY] = context;
}

function evaluationContext(): EvaluationContext {
  const context = (globalThis as Record<symbol, unknown>)[CONTEXT_KEY] as EvaluationContext | undefined;
  if (!context) throw new Error('describeCase() runs only inside `harness run` or `harness evaluate`');
  return context;
}

/**
 * Declares the checks of one case. They run once for every image the case ran on, after
 * the built-in ones (cloud-init finished as expected, clean log, valid schema). When the
 * instance never got as far as a harvest, one failing test says why instead.
 */
export function describeCase(caseName: string, checks: (cell: HarvestedCell) => void = () => {}): void {
  const context = evaluationContext();
  const loading = context.loading();
  // A name that is not the file's own case would drop its checks without a word, and the case pass on the built-in ones.
  if (loading !== undefined && caseName !== loading.caseName) {
    throw new HarnessError('CHECKS_FILE', `${loading.file}: describeCase('${caseName}') does not name this file's case, "${loading.caseName}"`, {
      hint: `a <name>.checks.ts file declares the checks of case <name> only: call describeCase('${loading.caseName}')`,
    });
  }
  context.declared.add(caseName);
  const loadError = context.loadErrors.get(caseName);
  for (const cell of context.cellsOf(caseName)) {
    describe(`${caseName} [${cell.imageRef}]`, function () {
      context.registerSuite(this, cell);
      if (loadError !== undefined && cell.record.state === 'harvested') {
        it('its checks file loads', () => {
          throw new Error(loadError);
        });
        return;
      }
      if (cell.record.state === 'skipped') {
        it(`skipped: ${cell.record.reason ?? 'no reason given'}`, function () {
          this.skip();
        });
        return;
      }
      if (cell.record.state === 'failed-to-boot') {
        it('boots and is harvested', () => {
          const log = cell.hasFile('/var/log/cloud-init.log') ? formatFindings(findLogProblems(cell.log())) : '';
          throw new Error([cell.record.reason ?? 'the instance did not get as far as a harvest', log].filter(Boolean).join('\n'));
        });
        return;
      }
      context.builtinChecks(cell);
      checks(cell);
    });
  }
}

/** Gives every case that no checks file declared its built-in checks. */
export function describeCaseUnlessDeclared(): void {
  const context = evaluationContext();
  for (const caseName of context.caseNames()) {
    if (!context.declared.has(caseName)) describeCase(caseName);
  }
}
