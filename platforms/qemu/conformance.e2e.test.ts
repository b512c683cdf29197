import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LABEL_RUN } from '../../core/run-id.js';
import { qemuForTests } from '../../test/qemu-for-tests.js';
import { expectedOutcomes, outcomesOf, type ConformanceResult } from '../conformance/index.js';
import qemu from './index.js';

const HARNESS = join(import.meta.dirname, '..', '..', 'harness', 'bin.js');
const IMAGE = 'cloudproof/debian/bookworm';

/**
 * `harness conformance --platform qemu`, as a user runs it, in real VMs on this machine
 * (TCG here: KVM does not boot a guest on our CI machines, which the driver's probe must
 * notice), with the image `npx harness setup --platform qemu --release bookworm` builds.
 */
describe('@e2e qemu platform conformance', function () {
  this.timeout(40 * 60_000);
  const platform = qemuForTests();
  let work: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-qemu-conformance-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it(`passes every rule it declares with ${IMAGE} in VMs, says which accelerator, and leaves no VM behind`, async function () {
    if ((await platform.findImage(IMAGE)) === undefined) {
      console.warn(`    skipped: the qemu platform has no image "${IMAGE}" (build it with: npx harness image build --platform qemu --release bookworm)`);
      this.skip();
    }
    const output = join(work, 'result.json');
    const run = await execa('node', [HARNESS, 'conformance', '--platform', 'qemu', '--image', IMAGE, '--output', output], { reject: false, env: { CI: 'true' }, all: true });
    process.stdout.write(`${run.all}\n`);
    const result = JSON.parse(await readFile(output, 'utf8')) as ConformanceResult;

    assert.deepEqual(outcomesOf(result.rules), expectedOutcomes(qemu.capabilities));
    assert.equal(run.exitCode, 0);
    assert.deepEqual(result.cleanupFailures, []);
    assert.match(String(result.platform.facts.acceleratorReason), /^(KVM|TCG)/);
    for (const runId of result.runIds) assert.deepEqual(await platform.listByLabel({ [LABEL_RUN]: runId }), [], `run ${runId} left VMs`);
  });
});
