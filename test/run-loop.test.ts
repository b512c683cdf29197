import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../core/errors.js';
import { silentObserver } from '../harness/run/observer.js';
import type { RunOptions } from '../harness/run/run-loop.js';
import { runOn } from './run-on.js';
import { LABEL_CASE } from '../core/run-id.js';
import type { FakeBehaviour } from '../platforms/fake/behaviour.js';
import { FakePlatform } from '../platforms/fake/platform.js';
import type { LaunchSpec } from '../platforms/types.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'cases');
const WARNING_LINE = '2026-11-28 14:00:01,000 - handlers.py[WARNING]: Could not render jinja template';

describe('run loop (fake platform)', () => {
  let results: string;
  beforeEach(async () => {
    results = await mkdtemp(join(tmpdir(), 'cloudproof-results-'));
  });
  afterEach(async () => {
    await rm(results, { recursive: true, force: true });
  });

  const run = (platform: FakePlatform, overrides: Partial<RunOptions> = {}) => runOn(platform, results, { concurrency: 2, ...overrides });
  const behaviours = (byCase: Record<string, FakeBehaviour>) => (spec: LaunchSpec) => ({ outputs: { marker: 'hi\n' }, ...byCase[spec.labels[LABEL_CASE] ?? ''] });
  // Without 'reboot', so that the case needing it is skipped.
  const fakeWith = (behaviourOf?: (spec: LaunchSpec) => FakeBehaviour) => new FakePlatform({ behaviourOf, capabilities: ['out-of-band-exec'] });
  const instancesLeft = async (platform: FakePlatform) => (await platform.listByLabel({})).length;

  it('passes clean cases, skips one with a stated reason and leaves no instance', async () => {
    const platform = fakeWith(behaviours({}));
    const result = await run(platform);
    assert.deepEqual(result.manifest.summary, { passed: 2, failed: 0, error: 0, skipped: 1, xfailed: 0, xpassed: 0 });
    const skipped = result.manifest.cells.find((cell) => cell.case === 'needs_reboot');
    assert.match(skipped?.reason ?? '', /needs reboot/);
    assert.equal(await instancesLeft(platform), 0);
    assert.equal(result.manifest.state, 'finished');
    assert.ok(existsSync(join(result.runDir, 'junit.xml')));
    assert.ok(existsSync(join(result.runDir, 'allure-results')));
    const manifest = JSON.parse(await readFile(join(result.runDir, 'run.json'), 'utf8'));
    assert.equal(manifest.images[0].fingerprint, 'f00d');
  });

  it('fails a case on an unexpected WARNING even though cloud-init says done, quoting the line', async () => {
    const platform = fakeWith(behaviours({ quiet: { log: `${WARNING_LINE}\n` } }));
    const result = await run(platform);
    const quiet = result.verdicts.get('quiet [debian/bookworm]');
    assert.equal(quiet?.verdict, 'failed');
    assert.ok(quiet?.failures.some((failure) => failure.message.includes('Could not render jinja template')));
    assert.equal(result.verdicts.get('marker [debian/bookworm]')?.verdict, 'passed');
  });

  it("excuses a recoverable error that the case expects in its log, and only that one (cloud-init ≥ 23.4)", async () => {
    const expected = 'expected trouble';
    const log = `2026-11-28 14:00:01,000 - cc_example.py[WARNING]: ${expected}\n`;
    const only = { selection: { grep: undefined, tags: [], excludeTags: [] }, testcaseDirs: [join(FIXTURES, 'expects-warning')] };
    const excused = await run(fakeWith(() => ({ log, recoverableErrors: { WARNING: [expected] } })), only);
    assert.equal(excused.verdicts.get('warns [debian/bookworm]')?.verdict, 'passed');
    const other = await run(fakeWith(() => ({ log, recoverableErrors: { WARNING: [expected, 'another problem'] } })), only);
    const verdict = other.verdicts.get('warns [debian/bookworm]');
    assert.equal(verdict?.verdict, 'failed');
    assert.ok(verdict?.failures.some((failure) => failure.message.includes('WARNING: another problem')));
  });

  it("fails a case whose own check fails, with the check's message", async () => {
    const platform = fakeWith(behaviours({ marker: { outputs: { marker: 'bye\n' } } }));
    const result = await run(platform);
    const marker = result.verdicts.get('marker [debian/bookworm]');
    assert.equal(marker?.verdict, 'failed');
    assert.ok(marker?.failures.some((failure) => failure.test === 'wrote the marker'));
  });

  it('records a boot timeout as a failure, keeps the harvest and destroys the instance', async () => {
    const platform = fakeWith(behaviours({ quiet: { bootHangs: true } }));
    const result = await run(platform, { selection: { grep: /quiet/, tags: [], excludeTags: [] } });
    const cell = result.manifest.cells[0];
    assert.equal(cell?.state, 'failed-to-boot');
    assert.equal(cell?.verdict, 'failed');
    assert.equal(await instancesLeft(platform), 0);
    assert.ok(existsSync(join(result.runDir, cell!.dir, 'files/var/log/cloud-init.log')));
  });

  it('keeps the console log of a cell whose harvest failed, which is then an error, not a verdict on the product', async () => {
    const platform = new FakePlatform({ behaviourOf: () => ({ harvestFails: true }), capabilities: ['out-of-band-exec', 'console-log'] });
    const result = await run(platform, { selection: { grep: /quiet/, tags: [], excludeTags: [] } });
    const cell = result.manifest.cells[0];
    assert.equal(cell?.verdict, 'error');
    assert.match(cell?.reason ?? '', /harvest script failed .*exit 1/);
    assert.match(await readFile(join(result.runDir, cell!.dir, 'console.log'), 'utf8'), /\S/);
    assert.equal(await instancesLeft(platform), 0);
  });

  it('stops on an abort, destroys what runs and still records what was harvested', async () => {
    const controller = new AbortController();
    const platform = fakeWith(behaviours({ quiet: { bootHangs: true }, marker: { bootMs: 1 } }));
    const observer = { ...silentObserver, cellFinished: (cell: string) => cell.startsWith('marker') && controller.abort() };
    const result = await run(platform, { signal: controller.signal, concurrency: 3, observer });
    assert.equal(result.interrupted, true);
    assert.equal(result.manifest.state, 'interrupted');
    assert.equal(await instancesLeft(platform), 0);
    assert.equal(result.verdicts.get('marker [debian/bookworm]')?.verdict, 'passed');
  });

  it('keeps a failed instance with --keep-failed and removes the passed ones', async () => {
    const platform = fakeWith(behaviours({ marker: { outputs: { marker: 'bye\n' } } }));
    const result = await run(platform, { keepFailed: true });
    assert.deepEqual(result.kept.map((kept) => kept.cell), ['marker [debian/bookworm]']);
    assert.deepEqual(await instancesLeft(platform), 1);
    assert.match(result.kept[0]?.howToReach ?? '', /fake-shell/);
  });

  it('rejects a case with an unknown field before launching anything, naming file, line and field', async () => {
    const platform = fakeWith();
    await assert.rejects(run(platform, { testcaseDirs: [join(FIXTURES, 'broken')] }), (error: HarnessError) => {
      assert.equal(error.code, 'INVALID_CASE');
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /typo\.yaml:2: unknown field "tagz"/);
      return true;
    });
    assert.equal(platform.callsOf('launch').length, 0);
  });

  it('rejects user-data that is not YAML before launching anything', async () => {
    const platform = fakeWith();
    await assert.rejects(run(platform, { testcaseDirs: [join(FIXTURES, 'bad-user-data')] }), (error: HarnessError) => {
      assert.equal(error.code, 'INVALID_USER_DATA');
      assert.match(error.message, /bad\.yaml:\d+: user_data is not valid YAML/);
      return true;
    });
    assert.equal(platform.callsOf('launch').length, 0);
  });

  it('rejects an unknown image before launching anything', async () => {
    const platform = fakeWith();
    await assert.rejects(run(platform, { imageRefs: ['debian/nosuch'] }), { code: 'IMAGE_NOT_FOUND' });
    assert.equal(platform.callsOf('launch').length, 0);
  });
});
