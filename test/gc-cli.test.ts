import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { generateAccessKey } from '../core/access-key.js';
import { LABEL_MANAGED, LABEL_OWNER, LABEL_RUN, newRunId } from '../core/run-id.js';
import { runLabels } from '../core/run-owner.js';
import { FakePlatform } from '../platforms/fake/platform.js';
import type { Labels } from '../platforms/types.js';

const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');
/** Above the largest pid Linux hands out: a process that cannot be running. */
const DEAD_PID = 4194305;

describe('harness gc (CLI, fake platform)', () => {
  let cache: string;
  let platform: FakePlatform;
  beforeEach(async () => {
    cache = await mkdtemp(join(tmpdir(), 'cloudproof-gc-cli-'));
    // Where the CLI's fake keeps its instances (platform-flags.ts: <cache>/platforms/<driver>).
    platform = new FakePlatform({ stateDir: join(cache, 'platforms', 'fake') });
    await platform.connect();
  });
  afterEach(async () => {
    await platform.close();
    await rm(cache, { recursive: true, force: true });
  });

  const gc = (...args: string[]) => execa('node', [HARNESS, 'gc', '--platform', 'fake', ...args], { reject: false, env: { CI: 'true', CLOUDPROOF_CACHE: cache } });
  const launch = (name: string, labels: Labels) => platform.launch({ name, imageFingerprint: 'f00d', userData: '#cloud-config\n', accessKey: generateAccessKey('gc-cli-test'), labels });
  const names = async () => (await platform.listByLabel({})).map((instance) => instance.name).sort();

  it('removes a dead run and marks it abandoned, keeps live, foreign and unowned runs and says why; --all and --run go further', async () => {
    const liveId = newRunId(new Date());
    const deadId = newRunId(new Date());
    const deadDir = join(cache, 'results', deadId);
    await mkdir(deadDir, { recursive: true });
    await writeFile(join(deadDir, 'run.json'), JSON.stringify({ schema: 1, runId: deadId, state: 'running', finishedAt: undefined }));
    await launch('cp-live', runLabels({ runId: liveId }));
    await launch('cp-dead', { ...runLabels({ runId: deadId, runDir: deadDir }), [LABEL_OWNER]: `${hostname()}:${DEAD_PID}:1` });
    await launch('cp-foreign', { ...runLabels({ runId: newRunId(new Date()) }), [LABEL_OWNER]: 'another-host.example:1:1' });
    await launch('cp-old', { [LABEL_MANAGED]: 'true', [LABEL_RUN]: 'before-owner-labels' });

    const dry = await gc('--dry-run');
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`would remove cp-dead \\(run ${deadId}: its owner, process ${DEAD_PID} on this host, is gone\\)`));
    assert.match(dry.stdout, /would mark .*run\.json abandoned/);
    assert.equal((await names()).length, 4);

    const swept = await gc();
    assert.equal(swept.exitCode, 0, swept.stderr);
    assert.match(swept.stdout, /removed cp-dead /);
    assert.match(swept.stdout, /kept 3 instance\(s\) of 3 run\(s\):/);
    assert.match(swept.stdout, new RegExp(`run ${liveId} \\(1\\): its owner, process ${process.pid} on this host, is still running`));
    assert.match(swept.stdout, /its owner runs on another-host\.example/);
    assert.match(swept.stdout, /run before-owner-labels \(1\): no owner label .*pass --all or --run <id>/);
    assert.deepEqual(await names(), ['cp-foreign', 'cp-live', 'cp-old']);
    assert.equal(JSON.parse(await readFile(join(deadDir, 'run.json'), 'utf8')).state, 'abandoned');

    const all = await gc('--all');
    assert.equal(all.exitCode, 0, all.stderr);
    assert.match(all.stdout, /removed cp-old \(run before-owner-labels: no owner label, removed with --all\)/);
    assert.deepEqual(await names(), ['cp-foreign', 'cp-live']);

    const asked = await gc('--run', liveId);
    assert.equal(asked.exitCode, 0, asked.stderr);
    assert.match(asked.stdout, /removed cp-live \(run .*: asked for with --run\)/);
    assert.deepEqual(await names(), ['cp-foreign']);
  });

  it('says when there is nothing to remove', async () => {
    const result = await gc();
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /no harness instances on fake/);
  });
});
