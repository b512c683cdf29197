import type { Instance, WaitStrategy } from '../types.js';
import { execWorks } from '../wait/index.js';
import { isRunning, type VmRecord } from './instance-record.js';
import { consoleTail } from './vm.js';

/** What the readiness wait needs of a qemu instance: its record, to see whether qemu still runs and what the console says. */
export interface ObservedVm extends Instance {
  readonly record: VmRecord;
}

function recordOf(instance: Instance): VmRecord | undefined {
  return (instance as Partial<ObservedVm>).record;
}

/**
 * Ready when the guest agent runs `true`: out of band, so a guest whose network or sshd
 * never comes up is still reached. The agent's socket accepts before the agent in the
 * guest runs, and then nothing answers, hence the short tries. A qemu that exits fails
 * the wait at once; every failure quotes the console's last lines, where a guest that
 * cannot boot says why.
 */
export const GUEST_AGENT_READY: WaitStrategy = {
  ...execWorks({
    tryTimeoutMs: 10_000,
    whyNever: async (instance) => {
      const record = recordOf(instance);
      return record === undefined || (await isRunning(record)) ? undefined : 'its qemu process has exited';
    },
    explain: async (instance) => {
      const record = recordOf(instance);
      return record === undefined ? 'no console' : `its console ends: ${await consoleTail(record)}`;
    },
  }),
  description: 'the guest agent (virtio-serial) runs `true` in the VM',
};
