import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const ROOT = join(import.meta.dirname, '..', '..');
const HARNESS = join(ROOT, 'harness', 'bin.js');

/** A driver from outside the tree, loaded by path the way a vendor's would be, must pass the whole standard. */
describe('examples/simulated-cloud: a driver from another package', () => {
  let cache: string;
  before(async () => {
    cache = await mkdtemp(join(tmpdir(), 'cloudproof-example-driver-'));
  });
  after(async () => {
    await rm(cache, { recursive: true, force: true });
  });

  const harness = (...args: string[]) => execa('node', [HARNESS, ...args], { cwd: ROOT, reject: false, all: true, env: { CI: 'true', CLOUDPROOF_CACHE: cache } });

  it('passes harness conformance, loaded with --platform-module', async function () {
    this.timeout(120_000);
    const result = await harness('conformance', '--platform-module', 'examples/simulated-cloud/index.ts', '--image', 'sim/debian-12');
    assert.equal(result.exitCode, 0, result.all);
    assert.match(result.stdout, /simulated-cloud: \d+ passed, 0 failed/);
    assert.match(result.stdout, /✓ gc\.finds-killed-run/);
    assert.match(result.stdout, /- network-config\.delivered\s+not declared/);
  });

  it('refuses a setting it does not know, naming it, in one line', async () => {
    const result = await harness('conformance', '--platform-module', 'examples/simulated-cloud/index.ts', '--platform-option', 'zone=a');
    assert.equal(result.exitCode, 2, result.all);
    assert.match(result.stderr.trim(), /^harness: the simulated-cloud driver has no setting "zone" \(its settings: region\)$/);
  });

  it('a path that exports no driver is one line, exit 2', async () => {
    const result = await harness('conformance', '--platform-module', 'examples/simulated-cloud/cloud-api.ts');
    assert.equal(result.exitCode, 2, result.all);
    assert.match(result.stderr.trim(), /^harness: "examples\/simulated-cloud\/cloud-api\.ts" does not default-export a platform driver/);
  });
});
