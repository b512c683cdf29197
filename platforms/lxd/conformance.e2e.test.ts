import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABEL_RUN } from '../../core/run-id.js';
import { conformanceImageAlias, expectedOutcomes, outcomesOf, runConformance, type ConformanceResult } from '../conformance/index.js';
import type { PlatformOptions } from '../types.js';
import lxd from './index.js';

/**
 * The LXD driver against the platform standard, on the LXD of this machine, with each
 * harness-built image it has (`npx harness setup --release bookworm --release trixie`):
 * the guests' cloud-init versions differ, and each must get what the driver delivers.
 */
const IMAGES = ['cloudproof/debian/bookworm', 'cloudproof/debian/trixie'];

describe('@e2e LXD platform conformance', function () {
  this.timeout(15 * 60_000);
  let stateDir: string;
  let options: PlatformOptions;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'cloudproof-lxd-conformance-'));
    options = { env: process.env, settings: {}, stateDir };
  });
  after(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  for (const image of IMAGES) {
    it(`passes every rule it declares with ${image}, and leaves nothing behind`, async function () {
      const probe = lxd.create(options);
      try {
        await probe.connect();
        if ((await probe.findImage(image)) === undefined) {
          console.warn(`    skipped: LXD has no image "${image}" (build it with: npx harness image build --release ${image.split('/').pop()})`);
          this.skip();
        }
      } finally {
        await probe.close();
      }

      const result = await runConformance({ driver: lxd, choice: { platform: 'lxd', module: undefined }, options, image });

      assert.deepEqual(outcomesOf(result.rules), expectedOutcomes(lxd.capabilities));
      assert.deepEqual(result.cleanupFailures, []);
      await assertNothingLeft(result);
    });
  }

  async function assertNothingLeft(result: ConformanceResult): Promise<void> {
    const platform = lxd.create(options);
    try {
      await platform.connect();
      for (const runId of result.runIds) assert.deepEqual(await platform.listByLabel({ [LABEL_RUN]: runId }), [], `run ${runId} left instances`);
      assert.equal(await platform.findImage(conformanceImageAlias(result.runIds[0] ?? '')), undefined, 'the published image is left');
    } finally {
      await platform.close();
    }
  }
});
