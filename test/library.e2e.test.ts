import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256File } from '../core/host/sha256-file.js';
import { PROPERTY } from '../harness/build-under-test/prepare-recipe.js';
import { LABEL_RUN } from '../core/run-id.js';
import type { ManifestCell } from '../results-schema/run-manifest.js';
import { describeCell, harnessRun, type CliRun } from './cli-run.js';
import { makeMarkerDeb, type MarkerDeb } from './build-marker-deb.js';
import { lxdForTests } from './lxd-for-tests.js';

const ROOT = join(import.meta.dirname, '..');
const LIBRARY = join(ROOT, 'testcases');
const RELEASES = ['bookworm', 'trixie'] as const;

/**
 * The proof that a build under test changes nothing but the package: the whole case
 * library on a release, once as the image is and once with --build deb: of the image's
 * own cloud-init re-packed with only a version suffix (makeMarkerDeb), both through the
 * CLI, must give the same verdict in every cell. A prepared image with first-boot state
 * baked in (a default user already there, a sudoers rule, instance state) fails this.
 * The baseline, the whole library on bookworm and trixie in one matrix run, runs once in
 * before(), for every test that reads it.
 */
describe('the case library, as the image is and with an identical build under test @e2e', function () {
  this.timeout(90 * 60_000);
  const platform = lxdForTests();
  let work: string;
  let marker: MarkerDeb;
  let markerSha: string;

  let baseline: CliRun;

  const libraryRun = async (releases: readonly string[], extra: readonly string[]): Promise<CliRun> => {
    const run = await harnessRun(['--platform', 'lxd', ...releases.flatMap((release) => ['--release', release]), '--testcases', LIBRARY, '--concurrency', '3', ...extra], await mkdtemp(join(work, 'results-')));
    assert.deepEqual(await platform.listByLabel({ [LABEL_RUN]: run.runId }), [], 'instances of the run are left');
    return run;
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-library-e2e-'));
    // A build id of this test run: its prepared image is this run's alone, removed in after().
    marker = await makeMarkerDeb(join(work, 'deb'), `library-${randomUUID()}`);
    markerSha = await sha256File(marker.path);
    // One matrix run: both images share the pool, as `harness run --release a --release b` does.
    baseline = await libraryRun(RELEASES, []);
  });
  after(async () => {
    if (markerSha !== undefined) {
      for (const image of await platform.listImages()) {
        if (image.properties[PROPERTY.artifacts]?.split(',').includes(markerSha)) await platform.deleteImage(image.fingerprint);
      }
    }
    await platform.close();
    await rm(work, { recursive: true, force: true });
  });

  it('without a build, every cell on bookworm and trixie passes, is skipped with a reason, or is a known bug (xfailed)', () => {
    const { manifest } = baseline;
    assert.deepEqual(manifest.images.map((image) => image.ref), RELEASES.map((release) => `debian/${release}`));
    assert.ok(manifest.cases.length >= 80, `only ${manifest.cases.length} cases: the library did not load whole`);
    assert.equal(manifest.cells.length, manifest.cases.length * RELEASES.length);
    const offenders = manifest.cells.filter((cell) => !(cell.verdict === 'passed' || cell.verdict === 'xfailed' || (cell.verdict === 'skipped' && cell.reason)));
    assert.deepEqual(offenders.map((cell) => `${cell.case} [${cell.image}]: ${describeCell(cell)}`), []);
    assert.equal(baseline.exitCode, 0);
  });

  it('names each image in the case × image table and in every report', async () => {
    const { manifest, runDir, stdout } = baseline;
    const [bookworm, trixie] = manifest.images;
    assert.match(bookworm?.cloudInitVersion ?? '', /^22\.4\./);
    assert.match(trixie?.cloudInitVersion ?? '', /^25\./);
    for (const image of manifest.images) assert.match(image.fingerprint, /^[0-9a-f]{64}$/);
    assert.match(stdout, /^case +debian\/bookworm +debian\/trixie *$/m);
    const junit = await readFile(join(runDir, 'junit.xml'), 'utf8');
    for (const release of RELEASES) assert.match(junit, new RegExp(`<testsuite name="write_files \\[debian/${release}\\]"`));
    const allure = await Promise.all((await readdir(join(runDir, 'allure-results'))).filter((name) => name.endsWith('-result.json')).map((name) => readFile(join(runDir, 'allure-results', name), 'utf8')));
    for (const release of RELEASES) assert.ok(allure.some((text) => text.includes(`[debian/${release}]`)), `no allure result names debian/${release}`);
    const reportPath = join(runDir, 'report.html');
    assert.ok(stdout.trimEnd().endsWith(`report: ${reportPath}`), 'the summary ends with the report path');
    const report = await readFile(reportPath, 'utf8');
    for (const image of manifest.images) assert.ok(report.includes(image.cloudInitVersion ?? '?'), `report.html lacks ${image.ref}'s cloud-init version`);
    assert.ok(existsSync(join(runDir, 'write_files', 'debian-trixie', 'files', 'var', 'log', 'cloud-init.log')));
  });

  it('with a re-packed identical cloud-init (--build deb:), every cell on bookworm has the verdict it has without a build', async () => {
    const without = { cells: baseline.manifest.cells.filter((cell) => cell.image === 'debian/bookworm') };
    const { manifest: built } = await libraryRun(['bookworm'], ['--build', `deb:${marker.path}`]);
    assert.ok(built.build.kind === 'deb' && built.build.flow === 'prepared');
    assert.equal(built.build.images[0]?.installedVersion, marker.version);
    const keyOf = (cell: ManifestCell): string => `${cell.case} [${cell.image}]`;
    const withBuild = new Map(built.cells.map((cell) => [keyOf(cell), cell]));
    const keys = new Set([...without.cells.map(keyOf), ...withBuild.keys()]);
    const withoutBuild = new Map(without.cells.map((cell) => [keyOf(cell), cell]));
    const differing = [...keys]
      .filter((key) => withoutBuild.get(key)?.verdict !== withBuild.get(key)?.verdict)
      .map((key) => `${key}: without a build ${describeCell(withoutBuild.get(key))}; with ${marker.version} ${describeCell(withBuild.get(key))}`);
    assert.deepEqual(differing, [], `${differing.length} of ${keys.size} cells differ:\n${differing.join('\n')}`);
  });
});
