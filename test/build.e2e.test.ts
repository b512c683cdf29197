import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { sha256File } from '../core/host/sha256-file.js';
import { PROPERTY } from '../harness/build-under-test/prepare-recipe.js';
import type { RunManifest } from '../results-schema/run-manifest.js';
import { LABEL_ROLE, LABEL_RUN } from '../core/run-id.js';
import { lxdForTests } from './lxd-for-tests.js';
import { makeMarkerDeb, MARKER_SUFFIX, type MarkerDeb } from './build-marker-deb.js';

const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');
const MARKER_CASES = join(import.meta.dirname, 'fixtures', 'build-marker');
const BASE_ALIAS = 'cloudproof/debian/bookworm';
/** The marker case's own checks; the built-in ones (clean boot, clean log) must pass with or without the build. */
const MARKER_CHECKS = ['dpkg has the build under test installed', "the build's marked file is in place", 'the cloud-init that booted the instance is the build under test'];

/**
 * The build under test for real: Debian's cloud-init with a marker in its version and in a
 * file, injected with --build deb: through the CLI, proven from inside the instance by the
 * fixture case test/fixtures/build-marker. The .deb carries a build id of this test run,
 * so its prepared image is this run's alone: the first run must prepare it, and it is
 * removed at the end without touching a bench's or another run's.
 */
describe('harness run --build on LXD @e2e', function () {
  this.timeout(20 * 60_000);
  const platform = lxdForTests();
  let work: string;
  let results: string;
  let marker: MarkerDeb;
  let markerSha: string;

  const removePreparedImages = async () => {
    for (const image of await platform.listImages()) {
      if (image.properties[PROPERTY.artifacts]?.split(',').includes(markerSha)) await platform.deleteImage(image.fingerprint);
    }
  };
  const harness = (args: string[]) => execa('node', [HARNESS, ...args], { reject: false, env: { CI: 'true' }, all: true });
  const runWith = (build: string[]) => ['run', '--platform', 'lxd', '--testcases', MARKER_CASES, '--results', results, ...build];
  const manifestOf = async (runId: string): Promise<RunManifest> => JSON.parse(await readFile(join(results, runId, 'run.json'), 'utf8')) as RunManifest;
  const newRunId = async (before: readonly string[]): Promise<string> => {
    const runId = (await readdir(results)).find((entry) => !before.includes(entry));
    assert.ok(runId, 'the run wrote a results folder');
    return runId;
  };
  const harvested = async (manifest: RunManifest, command: string): Promise<string> =>
    readFile(join(results, manifest.runId, manifest.cells[0]?.dir ?? '', 'collectors', `${command}.out`), 'utf8');

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-build-e2e-'));
    results = join(work, 'results');
    marker = await makeMarkerDeb(join(work, 'deb'), `e2e-${randomUUID()}`);
    markerSha = await sha256File(marker.path);
  });
  after(async () => {
    await removePreparedImages();
    await platform.close();
    await rm(work, { recursive: true, force: true });
  });

  it('injects a modified cloud-init .deb: the case proves from inside that it booted; a second run reuses the prepared image', async () => {
    const first = await harness(runWith(['--build', `deb:${marker.path}`]));
    process.stdout.write(`${first.all}\n`);
    assert.equal(first.exitCode, 0, 'the marker case passes with the build under test');
    assert.match(first.all ?? '', /preparing cloudproof\/prepared\/[0-9a-f]{16} from /);
    assert.match(first.all ?? '', /platform: LXD .*storage pool \S+ \(\w+\)/);
    const prepared = await manifestOf(await newRunId([]));
    const build = prepared.build;
    assert.ok(build.kind === 'deb' && build.flow === 'prepared');
    assert.deepEqual(build.artifacts, [{ path: marker.path, sha256: markerSha, package: 'cloud-init', version: marker.version }]);
    const [image] = build.images;
    const base = await platform.resolveImage(BASE_ALIAS);
    assert.equal(image?.baseFingerprint, base.fingerprint);
    assert.equal(image?.installedVersion, marker.version);
    assert.equal(image?.reused, false);
    assert.ok(image?.preparedFingerprint && image.preparedFingerprint !== base.fingerprint);
    assert.equal(prepared.cells[0]?.verdict, 'passed');
    assert.equal(prepared.images[0]?.fingerprint, image.preparedFingerprint);
    assert.equal((await harvested(prepared, 'installed')).trim(), marker.version);
    const published = await platform.findImage(image.preparedFingerprint);
    assert.equal(published?.properties[PROPERTY.cloudInit], marker.version);
    assert.equal(published?.properties[PROPERTY.prepared], 'true');
    assert.deepEqual(await platform.listByLabel({ [LABEL_RUN]: prepared.runId }), [], 'the preparation instance and the case are gone');

    // Second run, same inputs: watch for a preparation instance of that run while it goes.
    const seenBefore = await readdir(results);
    const second = harness(runWith(['--build', `deb:${marker.path}`]));
    const preparations = new Set<string>();
    let running = true;
    void second.finally(() => {
      running = false;
    });
    while (running) {
      const runId = (await readdir(results)).find((entry) => !seenBefore.includes(entry));
      if (runId !== undefined) {
        for (const instance of await platform.listByLabel({ [LABEL_RUN]: runId, [LABEL_ROLE]: 'prepare' })) preparations.add(instance.name);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const again = await second;
    process.stdout.write(`${again.all}\n`);
    assert.equal(again.exitCode, 0);
    assert.match(again.all ?? '', /reusing prepared image cloudproof\/prepared\/[0-9a-f]{16}/);
    assert.deepEqual([...preparations], [], 'no preparation instance was launched');
    const reused = await manifestOf(await newRunId(seenBefore));
    assert.ok(reused.build.kind === 'deb');
    assert.equal(reused.build.images[0]?.reused, true);
    assert.equal(reused.build.images[0]?.preparedFingerprint, image.preparedFingerprint);
    assert.equal(reused.cells[0]?.verdict, 'passed');
  });

  it('--build none tests the base image as it is: the marker case fails on its own checks, with the stock cloud-init inside', async () => {
    const seenBefore = await readdir(results).catch(() => [] as string[]);
    const result = await harness(runWith(['--build', 'none']));
    process.stdout.write(`${result.all}\n`);
    assert.equal(result.exitCode, 1);
    const manifest = await manifestOf(await newRunId(seenBefore));
    const base = await platform.resolveImage(BASE_ALIAS);
    assert.deepEqual(manifest.build, { kind: 'none' });
    assert.equal(manifest.images[0]?.fingerprint, base.fingerprint);
    const cell = manifest.cells[0];
    assert.equal(cell?.verdict, 'failed');
    assert.deepEqual(cell?.failures.map((failure) => failure.test).sort(), [...MARKER_CHECKS].sort(), 'only the marker checks fail: the boot itself was clean');
    const installed = (await harvested(manifest, 'installed')).trim();
    assert.equal(installed, base.properties[PROPERTY.cloudInit]);
    assert.ok(!installed.endsWith(MARKER_SUFFIX));
  });

  it('--upgrade-from image: each case boots the stock cloud-init, upgrades to the build, reboots into it', async () => {
    const seenBefore = await readdir(results).catch(() => [] as string[]);
    const result = await harness(runWith(['--build', `deb:${marker.path}`, '--upgrade-from', 'image']));
    process.stdout.write(`${result.all}\n`);
    assert.equal(result.exitCode, 0, 'the marker case sees two boots, the last one by the build');
    const manifest = await manifestOf(await newRunId(seenBefore));
    assert.ok(manifest.build.kind === 'deb' && manifest.build.flow === 'upgrade');
    assert.equal(manifest.images[0]?.fingerprint, (await platform.resolveImage(BASE_ALIAS)).fingerprint);
    assert.deepEqual(manifest.cells[0]?.timings.map((timing) => timing.phase), ['launching', 'booting', 'upgrading', 'booting', 'harvesting', 'destroying']);
    assert.equal((await harvested(manifest, 'installed')).trim(), marker.version);
  });
});
