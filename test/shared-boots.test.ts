import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABEL_CASE } from '../core/run-id.js';
import type { FakeBehaviour } from '../platforms/fake/behaviour.js';
import { FakePlatform } from '../platforms/fake/platform.js';
import type { LaunchSpec } from '../platforms/types.js';
import type { CellRecord } from '../results-schema/cell-record.js';
import { CELL_FILE, collectorPaths, SHARED_BOOT_KEPT_IN } from '../results-schema/layout.js';
import type { RunResult } from '../harness/run/run-loop.js';
import { runOn } from './run-on.js';

const SHARED = join(import.meta.dirname, 'fixtures', 'cases', 'shared');
const CLEAN: Readonly<Record<string, string>> = { host: 'packed01\n', written: 'w\n', ran: 'r\n' };

describe('cases that share a boot (fake platform)', () => {
  let results: string;
  beforeEach(async () => {
    results = await mkdtemp(join(tmpdir(), 'cloudproof-shared-'));
  });
  afterEach(async () => {
    await rm(results, { recursive: true, force: true });
  });

  const sharedLaunch = (spec: LaunchSpec): boolean => (spec.labels[LABEL_CASE] ?? '').includes(',');
  /** What each launch harvests: `inShared` on top of the clean outputs when the launch is a shared boot, `always` on every launch. */
  const fake = (change: { readonly inShared?: Record<string, string>; readonly always?: Record<string, string> } = {}) =>
    new FakePlatform({
      capabilities: ['out-of-band-exec'],
      behaviourOf: (spec): FakeBehaviour => ({ outputs: { ...CLEAN, ...(sharedLaunch(spec) ? change.inShared : {}), ...change.always } }),
    });
  const run = (platform: FakePlatform, shareBoots = true) => runOn(platform, results, { concurrency: 2, testcaseDirs: [SHARED], shareBoots });
  const verdictsOf = (result: RunResult) => Object.fromEntries(result.manifest.cells.map((cell) => [cell.case, cell.verdict]));
  const recordOf = async (result: RunResult, caseName: string): Promise<CellRecord> => {
    const cell = result.manifest.cells.find((each) => each.case === caseName);
    assert.ok(cell, caseName);
    return JSON.parse(await readFile(join(result.runDir, cell.dir, CELL_FILE), 'utf8')) as CellRecord;
  };

  it('boots the cases that can share once, judges each on its own copy of the harvest, and boots an isolated case alone', async () => {
    const platform = fake();
    const result = await run(platform);
    assert.deepEqual(verdictsOf(result), { keeps_alone: 'passed', runs_command: 'passed', sets_hostname: 'passed', writes_file: 'passed' });
    const launches = platform.callsOf('launch').map((call) => call.spec.labels[LABEL_CASE]);
    assert.deepEqual(launches.sort(), ['keeps_alone', 'runs_command,sets_hostname,writes_file']);
    const shared = platform.callsOf('launch').find((call) => sharedLaunch(call.spec));
    assert.match(shared?.spec.userData ?? '', /^#cloud-config\n/);
    for (const key of ['hostname: packed01', 'runcmd:', 'write_files:', "permissions: '0644'"]) assert.ok(shared?.spec.userData.includes(key), key);
    const record = await recordOf(result, 'writes_file');
    assert.deepEqual(record.sharedBoot?.cases, ['runs_command', 'sets_hostname', 'writes_file']);
    assert.equal(record.sharedBoot?.rerunAlone, undefined);
    assert.ok(existsSync(join(result.runDir, record.sharedBoot?.dir ?? 'missing', CELL_FILE)), 'the shared boot keeps its own record');
    assert.equal((await recordOf(result, 'keeps_alone')).sharedBoot, undefined);
    assert.deepEqual(result.manifest.cells.find((cell) => cell.case === 'writes_file')?.sharedBoot, record.sharedBoot, 'run.json says so too');
    assert.deepEqual(await platform.listByLabel({}), []);
  });

  it('runs a case that failed in the shared boot again alone and reports that verdict, keeping what the shared boot harvested', async () => {
    const platform = fake({ inShared: { written: 'spoilt by another case\n' } });
    const result = await run(platform);
    assert.deepEqual(verdictsOf(result), { keeps_alone: 'passed', runs_command: 'passed', sets_hostname: 'passed', writes_file: 'passed' });
    assert.deepEqual(platform.callsOf('launch').map((call) => call.spec.labels[LABEL_CASE]).sort(), ['keeps_alone', 'runs_command,sets_hostname,writes_file', 'writes_file']);
    const record = await recordOf(result, 'writes_file');
    assert.deepEqual(record.sharedBoot?.rerunAlone, { verdictThere: 'failed', keptIn: SHARED_BOOT_KEPT_IN });
    const cellDir = join(result.runDir, record.dir);
    const keptOutput = await readFile(collectorPaths(join(cellDir, SHARED_BOOT_KEPT_IN), 'written').out, 'utf8');
    const ownOutput = await readFile(collectorPaths(cellDir, 'written').out, 'utf8');
    assert.deepEqual([keptOutput, ownOutput], ['spoilt by another case\n', 'w\n']);
    assert.equal((await recordOf(result, 'runs_command')).sharedBoot?.rerunAlone, undefined);
  });

  it('gives every case the verdict an --isolated run gives it, a failure too', async () => {
    const change = { inShared: { written: 'spoilt\n' }, always: { ran: 'never\n' } };
    const packed = await run(fake(change));
    const isolatedPlatform = fake(change);
    const isolated = await run(isolatedPlatform, false);
    assert.deepEqual(verdictsOf(packed), verdictsOf(isolated));
    assert.equal(verdictsOf(packed).runs_command, 'failed');
    assert.deepEqual((await recordOf(packed, 'runs_command')).sharedBoot?.rerunAlone?.verdictThere, 'failed');
    assert.equal(isolatedPlatform.callsOf('launch').length, 4);
  });
});
