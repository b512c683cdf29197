import type { Instance, WaitOptions, WaitStrategy } from '../types.js';
import { execWorks } from '../wait/index.js';
import { isRunning, type VmRecord } from './instance-record.js';
import { consoleTail } from './vm.js';

/** What the readiness wait needs of a qemu instance: its record, to see whether qemu still runs and what the console says. */
export interface ObservedVm extends Instance {
  readonly record: VmRecord;
  /** The same VM with exec through its guest agent, whatever serves its own exec. */
  outOfBand(): Instance;
}

function recordOf(instance: Instance): VmRecord | undefined {
  return (instance as Partial<ObservedVm>).record;
}

/** How long one try over SSH may take, connecting included: under TCG the guest's half of a handshake is slow. */
export const SSH_TRY_MS = 20_000;

const whyNever = async (instance: Instance): Promise<string | undefined> => {
  const record = recordOf(instance);
  return record === undefined || (await isRunning(record)) ? undefined : 'its qemu process has exited';
};
const explain = async (instance: Instance): Promise<string> => {
  const record = recordOf(instance);
  return record === undefined ? 'no console' : `its console ends: ${await consoleTail(record)}`;
};

/**
 * The guest agent runs `true`: out of band, so a guest whose network or sshd never comes
 * up is still reached. The agent's socket accepts before the agent in the guest runs, and
 * then nothing answers, hence the short tries. A qemu that exits fails the wait at once;
 * every failure quotes the console's last lines, where a guest that cannot boot says why.
 */
const agentAnswers = execWorks({ tryTimeoutMs: 10_000, whyNever, explain });
/** Then, for a launch over SSH, `true` over SSH: sshd up, the NIC up, the key and the sudo rule written by cloud-init. */
const sshAnswers = execWorks({ tryTimeoutMs: SSH_TRY_MS, whyNever, explain });

export const QEMU_READY: WaitStrategy = {
  description: 'the guest agent (virtio-serial) runs `true` in the VM, then, for a launch over SSH, so does sshd',
  async waitUntilReady(instance: Instance, wait: WaitOptions): Promise<void> {
    const deadline = Date.now() + wait.timeoutMs;
    const vm = instance as Partial<ObservedVm>;
    await agentAnswers.waitUntilReady(vm.outOfBand?.() ?? instance, wait);
    if (vm.record?.transport !== 'ssh') return;
    await sshAnswers.waitUntilReady(instance, { ...wait, timeoutMs: Math.max(1, deadline - Date.now()) });
  },
};
