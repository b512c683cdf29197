import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { generateAccessKey } from '../core/access-key.js';
import { LABEL_EXPIRES, LABEL_MANAGED, LABEL_OWNER, LABEL_RESULTS, LABEL_RUN, newRunId, runStartedAt } from '../core/run-id.js';
import { currentOwner, DEFAULT_EXPIRY_MS, formatOwner, ownerState, parseOwner, runLabels } from '../core/run-owner.js';
import { sweepGoneRuns, sweepRuns } from '../harness/gc/sweep.js';
import { silentObserver } from '../harness/run/observer.js';
import { FakePlatform } from '../platforms/fake/platform.js';
import type { Labels } from '../platforms/types.js';
import { runOn } from './run-on.js';

const CHILD = join(import.meta.dirname, 'gc-killed-run-child.ts');
/** What gc-killed-run-child.ts prints once its instance is launched and its run.json written. */
const CHILD_LAUNCHED = 'gc-killed-run-child: launched';
const HOUR = 60 * 60 * 1000;

/** A run that launched and wrote run.json, then got SIGKILL: its owner pid is dead and its end never written. */
async function killedRun(stateDir: string, runDir: string, runId: string): Promise<void> {
  const child = execa(process.execPath, ['--import', 'tsx', CHILD, stateDir, runDir, runId], { stdin: 'pipe', reject: false });
  const launched = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === CHILD_LAUNCHED) resolve();
    });
  });
  await Promise.race([launched, child.then((result) => assert.fail(`the child ended before it launched: ${result.stderr}`))]);
  child.kill('SIGKILL');
  const result = await child;
  assert.equal(result.signal, 'SIGKILL');
}

describe('gc: runs that are gone, and only those', () => {
  let work: string;
  let stateDir: string;
  let platform: FakePlatform;
  let launches: number;
  beforeEach(async () => {
    launches = 0;
    work = await mkdtemp(join(tmpdir(), 'cloudproof-gc-'));
    stateDir = join(work, 'state');
    platform = new FakePlatform({ stateDir });
    await platform.connect();
  });
  afterEach(async () => {
    await platform.close();
    await rm(work, { recursive: true, force: true });
  });

  const launch = (labels: Labels) => platform.launch({ name: `cp-gc-${(launches += 1)}`, imageFingerprint: 'f00d', userData: '#cloud-config\n', accessKey: generateAccessKey('gc-test'), labels });
  const names = async () => (await platform.listByLabel({})).map((instance) => instance.name).sort();
  const runningManifest = async (runDir: string, runId: string) => {
    await mkdir(runDir, { recursive: true });
    await writeFile(join(runDir, 'run.json'), JSON.stringify({ schema: 1, runId, state: 'running', startedAt: '2026-12-01T00:00:00.000Z', finishedAt: undefined, cells: [] }));
  };
  const stateOf = async (runDir: string) => JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as { state: string; finishedAt?: string; runId: string; cells: unknown[] };

  it("never removes a live run's instances, and says why it kept them", async () => {
    const runId = newRunId(new Date());
    const runDir = join(work, runId);
    await runningManifest(runDir, runId);
    await launch({ ...runLabels({ runId, runDir }), 'cloudproof.case': 'a' });
    await launch({ ...runLabels({ runId, runDir }), 'cloudproof.case': 'b' });
    const result = await sweepRuns({ platform });
    assert.deepEqual(result.removed, []);
    assert.deepEqual(result.decisions.map((decision) => [decision.runId, decision.remove, decision.standing.kind, decision.instances.length]), [[runId, false, 'owner-running', 2]]);
    assert.deepEqual(await names(), ['cp-gc-1', 'cp-gc-2']);
    assert.equal((await stateOf(runDir)).state, 'running');
  });

  it('removes the instances of a run killed with kill -9 and marks its run.json abandoned, keeping the rest of it', async () => {
    const killedId = newRunId(new Date());
    const killedDir = join(work, killedId);
    await killedRun(stateDir, killedDir, killedId);
    const liveId = newRunId(new Date());
    await launch(runLabels({ runId: liveId, runDir: join(work, liveId) }));
    const fresh = new FakePlatform({ stateDir });
    assert.deepEqual((await fresh.listByLabel({ [LABEL_RUN]: killedId })).map((instance) => instance.name), [`cp-${killedId}-1-killed`], 'the child launched through the shared state folder');

    const result = await sweepRuns({ platform: fresh, now: new Date('2026-12-02T10:00:00Z') });
    assert.deepEqual(result.removed, [`cp-${killedId}-1-killed`]);
    assert.deepEqual(result.abandoned, [join(killedDir, 'run.json')]);
    assert.deepEqual(await names(), ['cp-gc-1'], "the live run's instance stays");
    const manifest = await stateOf(killedDir);
    assert.deepEqual({ state: manifest.state, finishedAt: manifest.finishedAt, runId: manifest.runId, cells: manifest.cells }, { state: 'abandoned', finishedAt: '2026-12-02T10:00:00.000Z', runId: killedId, cells: [] });
  });

  it('leaves a run.json that no longer says running as it is', async () => {
    const runId = newRunId(new Date());
    const runDir = join(work, runId);
    await mkdir(runDir, { recursive: true });
    await writeFile(join(runDir, 'run.json'), JSON.stringify({ schema: 1, runId, state: 'finished' }));
    await launch({ ...runLabels({ runId, runDir }), [LABEL_OWNER]: `${hostname()}:4194305:1` });
    const result = await sweepRuns({ platform });
    assert.deepEqual(result.removed, ['cp-gc-1']);
    assert.deepEqual(result.abandoned, []);
    assert.equal((await stateOf(runDir)).state, 'finished');
  });

  it('removes a run past its expiry even when its owner still runs', async () => {
    const runId = newRunId(new Date());
    const runDir = join(work, runId);
    await runningManifest(runDir, runId);
    await launch(runLabels({ runId, runDir, expiryMs: HOUR }));
    assert.deepEqual((await sweepRuns({ platform, now: new Date(Date.now() + HOUR / 2) })).removed, []);
    const result = await sweepRuns({ platform, now: new Date(Date.now() + 2 * HOUR) });
    assert.deepEqual(result.removed, ['cp-gc-1']);
    assert.equal(result.decisions[0]?.standing.kind, 'expired');
    assert.equal((await stateOf(runDir)).state, 'abandoned');
  });

  it("leaves another host's run alone until it expires, and never touches its run.json", async () => {
    const runId = newRunId(new Date());
    const runDir = join(work, runId);
    await runningManifest(runDir, runId);
    await launch({ ...runLabels({ runId, runDir }), [LABEL_OWNER]: 'another-host.example:1:1' });
    const kept = await sweepRuns({ platform });
    assert.deepEqual(kept.removed, []);
    assert.equal(kept.decisions[0]?.standing.kind, 'other-host');
    const expired = await sweepRuns({ platform, now: new Date(Date.now() + DEFAULT_EXPIRY_MS + HOUR) });
    assert.deepEqual(expired.removed, ['cp-gc-1']);
    assert.deepEqual(expired.abandoned, []);
    assert.equal((await stateOf(runDir)).state, 'running', 'its run.json is on the other host');
  });

  it('removes the run asked for by id, live or not, and no other; a live one keeps its run.json', async () => {
    const asked = newRunId(new Date());
    const askedDir = join(work, asked);
    await runningManifest(askedDir, asked);
    await launch(runLabels({ runId: asked, runDir: askedDir }));
    await launch(runLabels({ runId: newRunId(new Date()) }));
    await launch({ [LABEL_MANAGED]: 'true', [LABEL_RUN]: 'another' });
    const result = await sweepRuns({ platform, run: asked });
    assert.deepEqual(result.removed, ['cp-gc-1']);
    assert.equal(result.decisions[0]?.standing.kind, 'asked');
    assert.deepEqual(await names(), ['cp-gc-2', 'cp-gc-3']);
    assert.equal((await stateOf(askedDir)).state, 'running', 'its owner is alive and will write its own end');
  });

  it('keeps instances without an owner label unless --all', async () => {
    await launch({ [LABEL_MANAGED]: 'true', [LABEL_RUN]: 'before-owner-labels' });
    const kept = await sweepRuns({ platform });
    assert.deepEqual([kept.removed, kept.decisions[0]?.standing], [[], { kind: 'unowned', all: false }]);
    const removed = await sweepRuns({ platform, all: true });
    assert.deepEqual(removed.removed, ['cp-gc-1']);
    assert.deepEqual(await names(), []);
  });

  it('in a dry run, removes and rewrites nothing but says what it would', async () => {
    const runId = newRunId(new Date());
    const runDir = join(work, runId);
    await runningManifest(runDir, runId);
    await launch({ ...runLabels({ runId, runDir }), [LABEL_OWNER]: `${hostname()}:4194305:1` });
    const result = await sweepRuns({ platform, dryRun: true });
    assert.deepEqual([result.removed, result.abandoned], [['cp-gc-1'], [join(runDir, 'run.json')]]);
    assert.deepEqual(await names(), ['cp-gc-1']);
    assert.equal((await stateOf(runDir)).state, 'running');
  });

  it("harness run sweeps a killed run's leftovers before it launches, and not a live run's", async () => {
    const killedId = newRunId(new Date());
    await killedRun(stateDir, join(work, killedId), killedId);
    const liveId = newRunId(new Date());
    await launch(runLabels({ runId: liveId }));
    await launch({ [LABEL_MANAGED]: 'true', [LABEL_RUN]: 'before-owner-labels' });
    const said: string[] = [];
    const fake = new FakePlatform({ stateDir, capabilities: ['out-of-band-exec'], behaviourOf: () => ({ outputs: { marker: 'hi\n' } }) });
    const result = await runOn(fake, join(work, 'results'), { observer: { ...silentObserver, stage: (line) => said.push(line) } });
    assert.deepEqual(await names(), ['cp-gc-1', 'cp-gc-2']);
    assert.ok(said.some((line) => line.includes(killedId) && line.includes('is gone')), said.join('\n'));
    assert.equal(JSON.parse(await readFile(join(work, killedId, 'run.json'), 'utf8')).state, 'abandoned');
    const launched = fake.callsOf('launch').map((call) => call.spec.labels);
    assert.ok(launched.length > 0);
    for (const labels of launched) {
      assert.deepEqual(
        { owner: labels[LABEL_OWNER], results: labels[LABEL_RESULTS], run: labels[LABEL_RUN] },
        { owner: formatOwner(currentOwner()), results: result.runDir, run: result.runId },
      );
      assert.equal(labels[LABEL_EXPIRES], new Date((runStartedAt(result.runId)?.getTime() ?? 0) + DEFAULT_EXPIRY_MS).toISOString());
    }
  });

  it('the sweep before a run says what it could not remove instead of failing the run', async () => {
    await launch({ ...runLabels({ runId: newRunId(new Date()) }), [LABEL_OWNER]: `${hostname()}:4194305:1` });
    const failing = Object.assign(Object.create(platform) as FakePlatform, { destroy: async () => Promise.reject(new Error('the platform said no')) });
    const said: string[] = [];
    const result = await sweepGoneRuns(failing, (line) => said.push(line));
    assert.equal(result.failures.length, 1);
    assert.ok(said.some((line) => line.includes('could not remove cp-gc-1') && line.includes('the platform said no')), said.join('\n'));
  });
});

describe('run owner', () => {
  it('tells this process from a later one given the same pid by its start time', () => {
    const self = currentOwner();
    assert.equal(ownerState(self), 'running');
    if (self.startTime !== undefined) assert.equal(ownerState({ ...self, startTime: `${Number(self.startTime) + 1}` }), 'gone');
    assert.equal(ownerState({ ...self, pid: 4194305 }), 'gone', 'above the largest pid Linux gives');
    assert.equal(ownerState({ ...self, host: 'another-host.example' }), 'elsewhere');
  });

  it('reads back the owner labels it writes, and refuses what it cannot read', () => {
    const owner = { host: 'ci-7.example', pid: 4242, startTime: '123456' };
    assert.deepEqual(parseOwner(formatOwner(owner)), owner);
    assert.deepEqual(parseOwner('mac.local:77'), { host: 'mac.local', pid: 77, startTime: undefined });
    assert.equal(parseOwner('no pid here'), undefined);
  });

  it("counts the expiry from the run's start, which its id carries", () => {
    const runId = newRunId(new Date('2026-12-02T01:02:03.456Z'));
    assert.deepEqual(runStartedAt(runId), new Date('2026-12-02T01:02:03Z'));
    assert.equal(runLabels({ runId, expiryMs: HOUR })[LABEL_EXPIRES], '2026-12-02T02:02:03.000Z');
    assert.equal(runStartedAt('e2e-gc-test'), undefined);
  });
});
