import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { lxdForTests } from './lxd-for-tests.js';
import { LABEL_MANAGED, LABEL_RUN } from '../core/run-id.js';
import type { RunManifest } from '../results-schema/run-manifest.js';
import { generateAccessKey } from '../core/access-key.js';

const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');
const harness = (args: string[]) => execa('node', [HARNESS, ...args], { reject: false, env: { CI: 'true' }, all: true });

/** The real thing: the CLI against the real LXD daemon and the real cloud-init in the built image. */
describe('harness run --platform lxd @e2e', function () {
  this.timeout(20 * 60_000);
  const platform = lxdForTests();
  let results: string;

  beforeEach(async () => {
    results = await mkdtemp(join(tmpdir(), 'cloudproof-e2e-'));
  });
  afterEach(async () => {
    await rm(results, { recursive: true, force: true });
  });
  after(async () => {
    await platform.close();
  });

  const instancesOfRun = async (runId: string) => platform.listByLabel({ [LABEL_RUN]: runId });
  const manifestOf = async (runId: string): Promise<RunManifest> => JSON.parse(await readFile(join(results, runId, 'run.json'), 'utf8')) as RunManifest;

  it('passes every starter case, writes the reports and leaves no instance behind', async () => {
    // The starter cases only: the whole library's verdicts are test/library.e2e.test.ts's.
    const result = await harness(['run', '--platform', 'lxd', '--results', results, '--concurrency', '2', '--tag', 'starter']);
    process.stdout.write(`${result.all}\n`);
    assert.equal(result.exitCode, 0, 'harness run should pass every case');
    const [runId] = await readdir(results);
    const manifest = await manifestOf(runId!);
    assert.equal(manifest.state, 'finished');
    assert.ok(manifest.cells.length >= 13, `only ${manifest.cells.length} cells ran`);
    assert.equal(manifest.summary.failed, 0);
    for (const cell of manifest.cells.filter((entry) => entry.verdict !== 'skipped')) {
      const dir = join(results, manifest.runId, cell.dir);
      assert.ok(existsSync(join(dir, 'files/var/log/cloud-init.log')), `${cell.case}: cloud-init.log harvested`);
      assert.ok(existsSync(join(dir, 'collectors/cloud-init-status.out')), `${cell.case}: status harvested`);
    }
    assert.ok(existsSync(join(results, manifest.runId, 'junit.xml')));
    assert.ok((await readdir(join(results, manifest.runId, 'allure-results'))).length > 0);
    assert.deepEqual(await instancesOfRun(manifest.runId), []);
  });

  it('on SIGINT mid-run removes every instance of the run and exits 130', async () => {
    const child = execa('node', [HARNESS, 'run', '--platform', 'lxd', '--results', results, '--concurrency', '2'], { reject: false, env: { CI: 'true' }, all: true });
    let runId: string | undefined;
    // Interrupt while instances exist: that is when a careless harness would leak them.
    for (let waited = 0; waited < 120_000 && runId === undefined; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const [dir] = await readdir(results);
      if (dir && (await instancesOfRun(dir)).length > 0) runId = dir;
    }
    assert.ok(runId, 'the run launched an instance within 2 minutes');
    child.kill('SIGINT');
    const result = await child;
    process.stdout.write(`${result.all}\n`);
    assert.equal(result.exitCode, 130);
    assert.deepEqual(await instancesOfRun(runId), []);
    assert.equal((await manifestOf(runId)).state, 'interrupted');
  });

  it("rejects cloud-config that breaks the image's cloud-init schema before launching, naming the key", async () => {
    const result = await harness(['run', '--platform', 'lxd', '--results', results, '--testcases', join(import.meta.dirname, 'fixtures', 'cases', 'schema-typo')]);
    assert.equal(result.exitCode, 2, result.all);
    assert.match(result.stderr, /typo\.yaml: cloud-config does not match the schema .*write_files\.0: unknown key "contnet"/);
    assert.deepEqual(await readdir(results), [], 'nothing ran, so no run folder');
  });

  it('harness gc removes an instance that carries the harness label', async () => {
    const image = await platform.resolveImage('cloudproof/debian/bookworm');
    const runId = 'e2e-gc-test';
    await platform.launch({
      name: 'cp-e2e-gc-leftover',
      imageFingerprint: image.fingerprint,
      userData: '#cloud-config\n{}\n',
      accessKey: generateAccessKey('cloudproof-e2e'),
      labels: { [LABEL_MANAGED]: 'true', [LABEL_RUN]: runId },
    });
    const result = await harness(['gc', '--run', runId]);
    assert.equal(result.exitCode, 0, result.all);
    assert.match(result.all ?? '', /removed cp-e2e-gc-leftover/);
    assert.deepEqual(await instancesOfRun(runId), []);
  });
});
