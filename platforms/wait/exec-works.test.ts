import assert from 'node:assert/strict';
import { HarnessError } from '../../core/errors.js';
import type { ExecResult, ExecSpec, Instance } from '../types.js';
import { execWorks } from './exec-works.js';

/** An instance whose exec answers as told: the wait's logic, without a platform. */
function instanceAnswering(answer: (attempt: number, spec: ExecSpec) => Promise<ExecResult>): Instance & { attempts: number } {
  const instance = {
    name: 'vm-1',
    labels: {},
    attempts: 0,
    exec: (spec: ExecSpec) => answer(++instance.attempts, spec),
  };
  return instance as unknown as Instance & { attempts: number };
}

const ok: ExecResult = { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };

describe('execWorks', () => {
  it('is ready once `true` exits 0, retrying what failed before', async () => {
    const instance = instanceAnswering(async (attempt) => {
      if (attempt < 3) throw new HarnessError('PLATFORM_API', 'agent not up');
      return ok;
    });
    await execWorks({ pollMs: 1 }).waitUntilReady(instance, { timeoutMs: 5000 });
    assert.equal(instance.attempts, 3);
  });

  it('fails with BOOT_TIMEOUT naming the last try and what the platform explains', async () => {
    const instance = instanceAnswering(async () => ({ ...ok, exitCode: 1 }));
    const wait = execWorks({ pollMs: 5, explain: async () => 'its console ends: Kernel panic' });
    await assert.rejects(wait.waitUntilReady(instance, { timeoutMs: 50 }), (error: unknown) => {
      assert.ok(error instanceof HarnessError && error.code === 'BOOT_TIMEOUT');
      assert.match(error.message, /within 0 s \(last try: `true` exited 1\); its console ends: Kernel panic$/);
      return true;
    });
  });

  it('gives up at once, before any try, when the platform says the instance can never get ready', async () => {
    const instance = instanceAnswering(async () => ok);
    const wait = execWorks({ whyNever: async () => 'its qemu process has exited', explain: async () => 'its console ends: reboot: Power down' });
    await assert.rejects(wait.waitUntilReady(instance, { timeoutMs: 60_000 }), /vm-1 will not get ready: its qemu process has exited; its console ends: reboot: Power down/);
    assert.equal(instance.attempts, 0);
  });

  it('gives each try at most tryTimeoutMs, and never more than what is left', async () => {
    const limits: (number | undefined)[] = [];
    const instance = instanceAnswering(async (_attempt, spec) => {
      limits.push(spec.timeoutMs);
      return ok;
    });
    await execWorks({ tryTimeoutMs: 10 }).waitUntilReady(instance, { timeoutMs: 60_000 });
    assert.deepEqual(limits, [10]);
  });
});
