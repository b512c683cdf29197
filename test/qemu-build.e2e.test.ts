import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256File } from '../core/host/sha256-file.js';
import { preparedAlias, PROPERTY } from '../harness/build-under-test/prepare-recipe.js';
import { LABEL_RUN } from '../core/run-id.js';
import { makeMarkerDeb, type MarkerDeb } from './build-marker-deb.js';
import { describeCell, harnessRun } from './cli-run.js';
import { qemuForTests } from './qemu-for-tests.js';

const LIBRARY = join(import.meta.dirname, '..', 'testcases');
const BASE_ALIAS = 'cloudproof/debian/bookworm';

/**
 * A build under test on qemu, in the fewest VM boots that prove it (two): the run prepares
 * the image in a VM booted with cloud-init disabled (preboot files), publishes it
 * (power-off, flattened qcow2) and boots clean_boot from it. A next run's reuse is the
 * lookup by content hash that prepareImage makes first (its whole reuse path, run end to
 * end on LXD by build.e2e): asserted here against qemu's own image store, without a third
 * boot. The .deb carries this test run's build id, so the prepared image is this run's
 * alone and is removed at the end.
 */
describe('@e2e harness run --build on qemu', function () {
  this.timeout(30 * 60_000);
  const platform = qemuForTests();
  let work: string | undefined;
  let marker: MarkerDeb;
  let markerSha: string;

  before(async function () {
    if ((await platform.findImage(BASE_ALIAS)) === undefined) {
      console.warn(`    skipped: the qemu platform has no image "${BASE_ALIAS}" (build it with: npx harness image build --platform qemu --release bookworm)`);
      this.skip();
    }
    work = await mkdtemp(join(tmpdir(), 'cloudproof-qemu-build-e2e-'));
    marker = await makeMarkerDeb(join(work, 'deb'), `e2e-qemu-${randomUUID()}`);
    markerSha = await sha256File(marker.path);
  });
  after(async () => {
    if (work === undefined) return;
    for (const image of await platform.listImages()) {
      if (image.properties[PROPERTY.artifacts]?.split(',').includes(markerSha)) await platform.deleteImage(image.fingerprint);
    }
    await platform.close();
    await rm(work, { recursive: true, force: true });
  });

  it('prepares and publishes a qcow2 with the build, clean_boot passes on it, and the next run would find it by its content hash', async () => {
    const results = join(work ?? '', 'results');
    await mkdir(results);
    const first = await harnessRun(['--platform', 'qemu', '--release', 'bookworm', '--testcases', LIBRARY, '--grep', '^clean_boot$', '--build', `deb:${marker.path}`], results);
    assert.equal(first.exitCode, 0, describeCell(first.manifest.cells[0]));
    const build = first.manifest.build;
    assert.ok(build.kind === 'deb' && build.flow === 'prepared');
    const [prepared] = build.images;
    const base = await platform.resolveImage(BASE_ALIAS);
    assert.equal(prepared?.baseFingerprint, base.fingerprint);
    assert.equal(prepared?.installedVersion, marker.version);
    assert.equal(prepared?.reused, false);
    assert.ok(prepared?.preparedFingerprint !== undefined && prepared.preparedFingerprint !== base.fingerprint);
    assert.equal(first.manifest.images[0]?.fingerprint, prepared.preparedFingerprint, 'the case booted from the prepared image');
    assert.deepEqual(first.manifest.cells.map((cell) => [cell.case, cell.verdict]), [['clean_boot', 'passed']]);
    const image = await platform.findImage(prepared.preparedFingerprint);
    assert.equal(image?.properties[PROPERTY.cloudInit], marker.version);
    assert.equal(image?.properties[PROPERTY.base], base.fingerprint);
    assert.deepEqual(await platform.listByLabel({ [LABEL_RUN]: first.runId }), [], 'the preparation VM and the case VM are gone');

    const hash = image?.properties[PROPERTY.hash];
    assert.ok(hash !== undefined, 'the published image records its content hash');
    assert.equal((await platform.findImage(preparedAlias(hash)))?.fingerprint, prepared.preparedFingerprint);
  });
});
