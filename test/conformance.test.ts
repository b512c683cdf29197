import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { AbortedError, HarnessError } from '../core/errors.js';
import { LABEL_MANAGED } from '../core/run-id.js';
import {
  conformanceDir,
  newestPerDriver,
  readConformanceHistory,
  RULES,
  runConformance,
  supportCell,
  writeConformanceResult,
  type ConformanceResult,
  type RuleInfo,
  type RuleResult,
} from '../platforms/conformance/index.js';
import { DEFAULT_FAKE_IMAGE, FakePlatform } from '../platforms/fake/platform.js';
import { checkLaunchLimits } from '../platforms/limits.js';
import { loadDriver, type DriverChoice } from '../platforms/registry.js';
import type { PlatformDriver, PlatformLimits, PlatformOptions } from '../platforms/types.js';

const ROOT = join(import.meta.dirname, '..');
const HARNESS = join(ROOT, 'harness', 'bin.js');
const STALE_RESTART = 'platforms/fake/broken/stale-restart.ts';
const LEAKY_LAUNCH = 'platforms/fake/broken/leaky-launch.ts';

/** What a sound driver's result says of `rule`: passed, unless the suite cannot check it or the driver does not declare it. */
function expectedOutcome(rule: RuleInfo, declared: readonly string[]): RuleResult['outcome'] {
  if (rule.capability !== undefined && !declared.includes(rule.capability)) return 'not-declared';
  return rule.uncheckedBecause === undefined ? 'passed' : 'unchecked';
}

function outcomes(result: ConformanceResult): Record<string, string> {
  return Object.fromEntries(result.rules.map((rule) => [rule.id, rule.outcome === 'failed' ? `failed: ${rule.detail}` : rule.outcome]));
}

describe('conformance suite against the fake driver', function () {
  this.timeout(60_000);
  let stateDir: string;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'cloudproof-conformance-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  async function conform(choice: DriverChoice, only?: readonly string[]): Promise<{ driver: PlatformDriver; result: ConformanceResult }> {
    const driver = await loadDriver(choice, ROOT);
    const options: PlatformOptions = { env: process.env, settings: {}, stateDir };
    const result = await runConformance({ driver, choice, options, image: 'debian/bookworm', ...(only ? { only } : {}) });
    return { driver, result };
  }

  /** Nothing the suite made is left in the fake's state folder, which another process would see. */
  async function assertNothingLeft(driver: PlatformDriver): Promise<void> {
    const platform = driver.create({ env: {}, settings: {}, stateDir });
    try {
      assert.deepEqual(await platform.listByLabel({ [LABEL_MANAGED]: 'true' }), []);
      assert.deepEqual((await platform.listImages()).map((image) => image.fingerprint), [DEFAULT_FAKE_IMAGE.fingerprint], 'only the image it started with');
    } finally {
      await platform.close();
    }
  }

  it('passes every rule for the fake driver, leaving nothing behind', async () => {
    const { driver, result } = await conform({ platform: 'fake', module: undefined });
    assert.deepEqual(outcomes(result), Object.fromEntries(RULES.map((rule) => [rule.id, expectedOutcome(rule, driver.capabilities)])));
    assert.deepEqual(result.cleanupFailures, []);
    assert.equal(result.driver, 'fake');
    assert.equal(result.image.fingerprint, DEFAULT_FAKE_IMAGE.fingerprint, 'debian/bookworm names the harness-built image');
    assert.equal(result.runIds.length, 2, 'its own run and the killed one');
    assert.ok(result.rules.every((rule) => rule.outcome !== 'passed' || rule.capability === undefined || driver.capabilities.includes(rule.capability)));
    await assertNothingLeft(driver);
  });

  it('fails launch.failure-leaves-nothing for a driver whose failed launch leaves its instance, and only that', async () => {
    const { driver, result } = await conform({ platform: 'fake', module: LEAKY_LAUNCH });
    const leak = result.rules.find((rule) => rule.id === 'launch.failure-leaves-nothing');
    assert.equal(leak?.outcome, 'failed');
    assert.match(leak.detail ?? '', /left cp-\S+-conformance-no-image \(Stopped\) behind/);
    const rest = RULES.filter((rule) => rule.id !== 'launch.failure-leaves-nothing');
    assert.deepEqual(
      Object.fromEntries(Object.entries(outcomes(result)).filter(([id]) => id !== 'launch.failure-leaves-nothing')),
      Object.fromEntries(rest.map((rule) => [rule.id, expectedOutcome(rule, driver.capabilities)])),
    );
    assert.deepEqual(result.cleanupFailures, [], 'the leaked instance is found by its labels and removed');
    await assertNothingLeft(driver);
  });

  it('fails reboot.new-boot-id for a driver whose restart returns in the old boot, and only that', async () => {
    const { driver, result } = await conform({ platform: 'fake', module: STALE_RESTART });
    const reboot = result.rules.find((rule) => rule.id === 'reboot.new-boot-id');
    assert.equal(reboot?.outcome, 'failed');
    assert.match(reboot.detail ?? '', /returned in the boot it started from/);
    assert.deepEqual(
      Object.fromEntries(Object.entries(outcomes(result)).filter(([id]) => id !== 'reboot.new-boot-id')),
      Object.fromEntries(RULES.filter((rule) => rule.id !== 'reboot.new-boot-id').map((rule) => [rule.id, expectedOutcome(rule, driver.capabilities)])),
    );
    await assertNothingLeft(driver);
  });

  it('removes what it made when interrupted, and reports no rule it did not let finish', async () => {
    const driver = await loadDriver('fake');
    const controller = new AbortController();
    const seen: string[] = [];
    await assert.rejects(
      runConformance({
        driver,
        choice: { platform: 'fake', module: undefined },
        options: { env: {}, settings: {}, stateDir },
        image: 'debian/bookworm',
        signal: controller.signal,
        onResult: (rule) => {
          seen.push(rule.id);
          // exec.timeout takes a second: the interrupt lands inside it.
          if (rule.id === 'exec.binary-output') setTimeout(() => controller.abort(), 200);
        },
      }),
      (error: unknown) => error instanceof AbortedError,
    );
    assert.equal(seen.at(-1), 'exec.binary-output');
    await assertNothingLeft(driver);
  });

  it('checks only the rules asked for, in the standard order', async () => {
    const { result } = await conform({ platform: 'fake', module: undefined }, ['exec.root', 'readiness.ready']);
    assert.deepEqual(result.rules.map((rule) => `${rule.id} ${rule.outcome}`), ['readiness.ready passed', 'exec.root passed']);
  });

  it('refuses an unknown rule id before it creates anything', async () => {
    const driver = await loadDriver('fake');
    let created = false;
    const watched: PlatformDriver = {
      ...driver,
      create: (options) => {
        created = true;
        return driver.create(options);
      },
    };
    await assert.rejects(
      runConformance({ driver: watched, choice: { platform: 'fake', module: undefined }, options: { env: {}, settings: {}, stateDir }, image: 'debian/bookworm', only: ['exec.rot'] }),
      (error: unknown) => error instanceof HarnessError && error.code === 'USAGE' && /"exec\.rot"/.test(error.message),
    );
    assert.equal(created, false);
  });

  it('reports the capabilities a driver does not declare as not-declared, never passed', async () => {
    const offered = ['out-of-band-exec'] as const;
    const minimal: PlatformDriver = {
      name: 'fake-minimal',
      description: 'the fake platform offering out-of-band exec only',
      capabilities: offered,
      create: (options) => new FakePlatform({ name: 'fake-minimal', stateDir: options.stateDir, capabilities: offered }),
      setupSteps: () => [],
    };
    const capabilityRules = RULES.filter((rule) => 'capability' in rule).map((rule) => rule.id);
    const result = await runConformance({
      driver: minimal,
      choice: { platform: 'fake', module: undefined },
      options: { env: {}, settings: {}, stateDir },
      image: 'debian/bookworm',
      only: ['capabilities.declared', ...capabilityRules],
    });
    assert.deepEqual(
      outcomes(result),
      Object.fromEntries([['capabilities.declared', 'passed'], ...capabilityRules.map((id) => [id, id === 'out-of-band-exec.without-sshd' ? 'passed' : 'not-declared'])]),
    );
  });

  it('fails capabilities.declared when the platform offers other capabilities than its driver declares', async () => {
    const driver = await loadDriver('fake');
    const boastful: PlatformDriver = { ...driver, capabilities: [...driver.capabilities, 'ssh'] };
    const result = await runConformance({
      driver: boastful,
      choice: { platform: 'fake', module: undefined },
      options: { env: {}, settings: {}, stateDir },
      image: 'debian/bookworm',
      only: ['capabilities.declared', 'ssh.reachable'],
    });
    assert.equal(result.rules[0]?.outcome, 'failed');
    assert.match(result.rules[0]?.detail ?? '', /its driver declares .*ssh/);
    // The fake serves every launch out of band: asked for SSH, it names no endpoint to log in at.
    assert.equal(result.rules[1]?.outcome, 'failed');
    assert.match(result.rules[1]?.detail ?? '', /names no sshEndpoint/);
  });
});

describe('checkLaunchLimits', () => {
  const limits = (userDataBytes: number | undefined): PlatformLimits => ({ userDataBytes, defaultConcurrency: 1, maxConcurrency: undefined, bootTimeoutFactor: 1 });

  it('takes user-data up to the limit and refuses a byte more, naming size and limit', () => {
    checkLaunchLimits(limits(10), { userData: 'x'.repeat(10), what: 'case a' });
    assert.throws(
      () => checkLaunchLimits(limits(10), { userData: 'x'.repeat(11), what: 'case a' }),
      (error: unknown) => error instanceof HarnessError && error.code === 'LIMIT_EXCEEDED' && /^case a: user-data is 11 bytes, the platform takes at most 10$/.test(error.message),
    );
  });

  it('counts bytes, not characters', () => {
    assert.throws(() => checkLaunchLimits(limits(3), { userData: 'éé', what: 'case b' }), (error: unknown) => error instanceof HarnessError && error.code === 'LIMIT_EXCEEDED');
  });

  it('takes anything when the platform sets no limit', () => {
    checkLaunchLimits(limits(undefined), { userData: 'x'.repeat(100_000), what: 'case c' });
  });
});

describe('conformance results', () => {
  const rule = (id: string, outcome: RuleResult['outcome']): RuleResult => ({ id, title: id, outcome, ms: 1 });
  const passedAll = (): RuleResult[] => RULES.map((each) => rule(each.id, 'passed'));
  const result = (finishedAt: string, rules: readonly RuleResult[], driver = 'd'): ConformanceResult => ({
    format: 'cloudproof-conformance/1',
    driver,
    runIds: ['r'],
    harnessVersion: '0',
    startedAt: finishedAt,
    finishedAt,
    image: { ref: 'i', fingerprint: 'f' },
    capabilities: [],
    limits: { userDataBytes: undefined, defaultConcurrency: 1, maxConcurrency: undefined, bootTimeoutFactor: 1 },
    platform: { summary: 's', facts: {} },
    rules,
    cleanupFailures: [],
  });

  it('finds the newest result per driver', () => {
    const old = result('2026-01-01T00:00:00.000Z', [], 'a');
    const recent = result('2026-03-01T00:00:00.000Z', [], 'a');
    const other = result('2026-02-01T00:00:00.000Z', [], 'b');
    const newest = newestPerDriver([recent, other, old]);
    assert.equal(newest.get('a'), recent);
    assert.equal(newest.get('b'), other);
  });

  it('says yes with the date only when declared and passed by the newest result that checked it', () => {
    const failedThenPassed = [
      result('2026-01-01T10:00:00.000Z', passedAll().map((each) => (each.id === 'reboot.new-boot-id' ? rule(each.id, 'failed') : each))),
      result('2026-02-01T10:00:00.000Z', passedAll()),
    ];
    assert.deepEqual(supportCell('reboot', ['reboot'], failedThenPassed), { state: 'yes', date: '2026-02-01' });
    assert.deepEqual(supportCell('reboot', ['reboot'], [...failedThenPassed].reverse()), { state: 'yes', date: '2026-02-01' });
    assert.deepEqual(supportCell('reboot', [], failedThenPassed), { state: 'not-declared' });
    assert.deepEqual(supportCell('required', [], failedThenPassed), { state: 'yes', date: '2026-02-01' });
  });

  it('says FAILED with the failing rules when the newest result that checked it failed', () => {
    const passedThenFailed = [result('2026-01-01T10:00:00.000Z', passedAll()), result('2026-02-01T10:00:00.000Z', passedAll().map((each) => (each.id === 'exec.stdin' ? rule(each.id, 'failed') : each)))];
    assert.deepEqual(supportCell('required', [], passedThenFailed), { state: 'failed', date: '2026-02-01', failedRules: ['exec.stdin'] });
  });

  it('keeps the evidence of a full run through a later run of a few rules', () => {
    const history = [result('2026-01-01T10:00:00.000Z', passedAll()), result('2026-02-01T10:00:00.000Z', [rule('exec.stdin', 'failed')])];
    assert.deepEqual(supportCell('reboot', ['reboot'], history), { state: 'yes', date: '2026-01-01' });
    assert.deepEqual(supportCell('required', [], history), { state: 'yes', date: '2026-01-01' }, 'no later result checked every required rule');
  });

  it('says unchecked when declared and no result checked it, or the suite could not', () => {
    assert.deepEqual(supportCell('reboot', ['reboot'], []), { state: 'unchecked' });
    const declaredLater = [result('2026-01-01T10:00:00.000Z', passedAll().map((each) => (each.id === 'reboot.new-boot-id' ? rule(each.id, 'not-declared') : each)))];
    assert.deepEqual(supportCell('reboot', ['reboot'], declaredLater), { state: 'unchecked' });
    const imported = [result('2026-01-01T10:00:00.000Z', passedAll().map((each) => (each.id === 'image-import.launches' ? rule(each.id, 'unchecked') : each)))];
    assert.deepEqual(supportCell('image-import', ['image-import'], imported), { state: 'unchecked' });
  });

  it('keeps a dated history per driver and skips what it cannot read, saying so', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'cloudproof-results-'));
    try {
      const first = await writeConformanceResult(cacheDir, { ...result('2026-01-01T10:00:00.000Z', []), startedAt: '2026-01-01T09:59:00.000Z' });
      await writeConformanceResult(cacheDir, { ...result('2026-01-02T10:00:00.000Z', []), startedAt: '2026-01-02T09:59:00.000Z' });
      assert.equal(first, join(conformanceDir(cacheDir, 'd'), '2026-01-01T09-59-00.000Z.json'));
      await writeFile(join(conformanceDir(cacheDir, 'd'), 'torn.json'), '{"format": "cloudproof-conf');
      const history = await readConformanceHistory(cacheDir, 'd');
      assert.deepEqual(history.results.map((each) => each.finishedAt), ['2026-01-01T10:00:00.000Z', '2026-01-02T10:00:00.000Z']);
      assert.equal(history.unreadable.length, 1);
      assert.match(history.unreadable[0] ?? '', /torn\.json/);
      assert.deepEqual(await readConformanceHistory(cacheDir, 'never-run'), { results: [], unreadable: [] });
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('harness conformance and harness platforms', function () {
  this.timeout(120_000);
  let cacheDir: string;
  const harness = (...args: string[]) => execa('node', [HARNESS, ...args], { cwd: ROOT, reject: false, env: { CI: 'true', CLOUDPROOF_CACHE: cacheDir } });

  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'cloudproof-cache-'));
    await mkdir(cacheDir, { recursive: true });
  });
  after(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('exits 1 naming the failed rule, one line per rule, and keeps the result', async () => {
    const output = join(cacheDir, 'out.json');
    const result = await harness('conformance', '--platform-module', STALE_RESTART, '--output', output);
    assert.equal(result.exitCode, 1, result.stderr);
    const lines = result.stdout.split('\n');
    assert.ok(lines.some((line) => /^✗ reboot\.new-boot-id {2}.+ — restart\(\) returned in the boot it started from/.test(line)), result.stdout);
    assert.ok(lines.some((line) => /^✓ exec\.stdin {2}exec passes stdin through, every byte value \(\d+ ms\)$/.test(line)), result.stdout);
    assert.ok(lines.includes('- ssh.reachable  not declared'), result.stdout);
    assert.ok(lines.some((line) => /^\? image-import\.launches {2}unchecked — /.test(line)), result.stdout);
    assert.match(result.stdout, /^fake-stale-restart: 22 passed, 1 failed, 1 not declared, 1 unchecked in \d+ s \(result: .+\.json\)$/m);
    const written = JSON.parse(await readFile(output, 'utf8')) as ConformanceResult;
    assert.equal(written.module, STALE_RESTART);
    const history = await readConformanceHistory(cacheDir, 'fake-stale-restart');
    assert.deepEqual(history.results, [written]);
  });

  it('exits 2 in one line for a rule that does not exist', async () => {
    const result = await harness('conformance', '--platform', 'fake', '--rule', 'reboot.new-bootid');
    assert.equal(result.exitCode, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /unknown conformance rule "reboot\.new-bootid"/);
  });

  it('shows what the newest result says: FAILED for the broken reboot, nothing unchecked as yes', async () => {
    const result = await harness('platforms', '--platform-module', STALE_RESTART, '--json');
    assert.equal(result.exitCode, 0, result.stderr);
    const matrix = JSON.parse(result.stdout) as { platforms: { name: string; cells: Record<string, { state: string; date?: string }> }[] };
    const stale = matrix.platforms.find((row) => row.name === 'fake-stale-restart');
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual(stale?.cells.reboot, { state: 'failed', date: today, failedRules: ['reboot.new-boot-id'] });
    assert.deepEqual(stale.cells.required, { state: 'yes', date: today });
    assert.deepEqual(stale.cells['image-import'], { state: 'unchecked' });
    assert.deepEqual(stale.cells.ssh, { state: 'not-declared' });
    const fake = matrix.platforms.find((row) => row.name === 'fake');
    assert.deepEqual(fake?.cells.reboot, { state: 'unchecked' }, 'the fake itself has no result in this cache');
    assert.deepEqual(matrix.platforms.map((row) => row.name).sort(), ['fake', 'fake-stale-restart', 'lxd', 'qemu']);
    assert.ok(matrix.platforms.every((row) => row.cells.ssh?.state !== 'yes'));

    const table = await harness('platforms', '--platform-module', STALE_RESTART);
    assert.equal(table.exitCode, 0, table.stderr);
    const lines = table.stdout.split('\n');
    assert.ok(lines.every((line) => line.length <= 120), table.stdout);
    const header = (lines[0] ?? '').split(/ {2,}/);
    const column = header.indexOf('fake-stale-restart');
    assert.ok(column > 0, `no fake-stale-restart column: ${lines[0]}`);
    const cellOf = (capability: string) => lines.find((line) => line.startsWith(`${capability} `))?.split(/ {2,}/)[column];
    assert.equal(cellOf('required'), `yes ${today}`);
    assert.equal(cellOf('reboot'), `FAILED ${today}`);
    assert.equal(cellOf('ssh'), '-');
  });
});
