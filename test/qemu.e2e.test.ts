import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABEL_RUN } from '../core/run-id.js';
import type { CellRecord } from '../results-schema/cell-record.js';
import { describeCell, harnessRun } from './cli-run.js';
import { qemuForTests } from './qemu-for-tests.js';

const ROOT = join(import.meta.dirname, '..');
const LIBRARY = join(ROOT, 'testcases');
const SSH_CASES = join(import.meta.dirname, 'fixtures', 'transport');

/**
 * The library's own case files, unchanged, in real VMs: the starter cases, a case whose
 * instance reboots itself (power_state), and one whose user-data takes the guest's network
 * down, so that only the guest agent can harvest it; and one case with `transport: ssh`,
 * launched with the run's key and harvested over SSH. Each cell's harvest keeps the VM's
 * serial console. One run for all of them, with the cases that can share a boot sharing
 * one: each VM boot costs minutes under TCG.
 */
describe('@e2e cases in qemu VMs', function () {
  this.timeout(45 * 60_000);
  const platform = qemuForTests();
  let results: string;

  before(async function () {
    if ((await platform.findImage('cloudproof/debian/bookworm')) === undefined) {
      console.warn('    skipped: the qemu platform has no image (build it with: npx harness image build --platform qemu --release bookworm)');
      this.skip();
    }
    results = await mkdtemp(join(tmpdir(), 'cloudproof-qemu-e2e-'));
  });
  after(async () => {
    if (results !== undefined) await rm(results, { recursive: true, force: true });
  });

  it('the starter cases, a self-rebooting case, a network-down case and a case over SSH pass, each harvest with its console log, and no VM is left', async () => {
    const { runId, manifest, runDir, exitCode } = await harnessRun(
      ['--platform', 'qemu', '--release', 'bookworm', '--testcases', LIBRARY, '--testcases', SSH_CASES, '--tag', 'starter', '--tag', 'power_state', '--tag', 'out-of-band', '--tag', 'transport', '--concurrency', '2'],
      results,
    );
    assert.match(String(manifest.platform.facts.accelerator), /^(kvm|tcg)$/);
    const cases = manifest.cells.map((cell) => cell.case);
    for (const wanted of ['clean_boot', 'power_state_reboot', 'network_down_out_of_band', 'over_ssh']) assert.ok(cases.includes(wanted), `${wanted} did not run`);
    const offenders = manifest.cells.filter((cell) => cell.verdict !== 'passed');
    assert.deepEqual(offenders.map((cell) => `${cell.case}: ${describeCell(cell)}`), []);
    for (const cell of manifest.cells) {
      const consoleLog = join(runDir, cell.dir, 'console.log');
      assert.ok(existsSync(consoleLog) && (await stat(consoleLog)).size > 0, `${cell.case} has no console log`);
    }
    assert.match(await readFile(join(runDir, manifest.cells.find((cell) => cell.case === 'clean_boot')?.dir ?? '', 'console.log'), 'utf8'), /Cloud-init v\. \S+ finished/);
    const overSsh = JSON.parse(await readFile(join(runDir, manifest.cells.find((cell) => cell.case === 'over_ssh')?.dir ?? '', 'cell.json'), 'utf8')) as CellRecord;
    assert.equal(overSsh.transport, 'ssh', 'SSH served the over_ssh case');
    assert.equal(manifest.cells.find((cell) => cell.case === 'over_ssh')?.transport, 'ssh', 'run.json says so too');
    assert.ok(manifest.cells.some((cell) => (cell.sharedBoot?.cases.length ?? 0) > 1), 'starter cases shared VM boots');
    assert.deepEqual(await platform.listByLabel({ [LABEL_RUN]: runId }), [], 'VMs of the run are left');
    assert.equal(exitCode, 0);
  });
});
