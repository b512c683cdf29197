import { spawn } from 'node:child_process';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError } from '../../core/errors.js';
import { isRunning, removeVmFiles, VM_FILES, VM_SOCKETS, type VmRecord } from './instance-record.js';
import { killOnExit } from './children.js';
import { KERNEL_COMMAND_LINE } from './disk-image.js';
import { qmpCommand } from './qmp.js';
import { GUEST_SSH_PORT } from './usernet.js';

export interface VmBoot {
  readonly kernel: string;
  readonly initrd: string;
  readonly memoryMiB: number;
  readonly cpus: number;
  /** The CPU model when the accelerator is TCG. */
  readonly tcgCpu: string;
  readonly qemuBinary: string;
}

/** How long each way of stopping qemu is given before the next, harder one. */
const STOP_STEP_MS = 5000;

/** How long qemu may take to open its monitor socket once spawned: it does so before the guest runs. */
const MONITOR_WAIT_MS = 20_000;

export function qemuArgs(record: VmRecord, boot: VmBoot): string[] {
  const file = (name: string): string => join(record.dir, name);
  const socket = (name: string): string => join(record.socketsDir, name);
  return [
    '-name', record.name,
    ...(record.accelerator === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', boot.tcgCpu]),
    '-smp', String(boot.cpus),
    '-m', String(boot.memoryMiB),
    '-nodefaults', '-display', 'none',
    '-kernel', boot.kernel, '-initrd', boot.initrd, '-append', KERNEL_COMMAND_LINE,
    '-drive', `file=${file(VM_FILES.overlay)},if=virtio,format=qcow2,discard=unmap`,
    '-drive', `file=${file(VM_FILES.seed)},if=virtio,format=raw,readonly=on`,
    // Port 0: the OS picks a free loopback port at bind time (usernet.ts reads which), so no two VMs race for one.
    '-netdev', record.transport === 'ssh' ? `user,id=net0,hostfwd=tcp:127.0.0.1:0-:${GUEST_SSH_PORT}` : 'user,id=net0', '-device', 'virtio-net-pci,netdev=net0',
    // Entropy for the guest's key generation: without it a TCG guest waits on its entropy pool.
    '-device', 'virtio-rng-pci',
    '-chardev', `socket,id=qmp0,path=${socket(VM_SOCKETS.qmp)},server=on,wait=off`, '-mon', 'chardev=qmp0,mode=control',
    '-chardev', `socket,id=qga0,path=${socket(VM_SOCKETS.agent)},server=on,wait=off`,
    '-device', 'virtio-serial', '-device', 'virtserialport,chardev=qga0,name=org.qemu.guest_agent.0',
    '-chardev', `file,id=console0,path=${file(VM_FILES.console)}`, '-serial', 'chardev:console0',
  ];
}

/**
 * Starts the VM's qemu as a child of this process (killed when it exits, however it exits
 * short of SIGKILL) and returns its pid once its monitor listens; a qemu that exits
 * first fails the start with what it printed.
 */
export async function startQemu(record: VmRecord, boot: VmBoot): Promise<number> {
  const log = await open(join(record.dir, VM_FILES.qemuLog), 'a');
  try {
    const child = spawn(boot.qemuBinary, qemuArgs(record, boot), { stdio: ['ignore', log.fd, log.fd] });
    const spawned = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid ?? -1));
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(new HarnessError('PLATFORM_UNAVAILABLE', `cannot start ${boot.qemuBinary}: ${error.message}`, {
          hint: error.code === 'ENOENT' ? 'install qemu: npx harness setup --platform qemu' : 'check the qemu setting',
          cause: error,
        })));
    });
    killOnExit(child);
    child.unref();
    const started = { ...record, pid: spawned };
    await waitForMonitor(started, child);
    return spawned;
  } finally {
    await log.close();
  }
}

async function waitForMonitor(record: VmRecord, child: { readonly exitCode: number | null; readonly signalCode: string | null }): Promise<void> {
  const deadline = Date.now() + MONITOR_WAIT_MS;
  const monitor = join(record.socketsDir, VM_SOCKETS.qmp);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new HarnessError('PLATFORM_API', `qemu for ${record.name} exited at once (${child.exitCode ?? child.signalCode}): ${await qemuLogTail(record)}`, {
        hint: `see ${join(record.dir, VM_FILES.qemuLog)}`,
      });
    }
    if ((await stat(monitor).catch(() => undefined))?.isSocket()) return;
    await sleep(50);
  }
  throw new HarnessError('PLATFORM_API', `qemu for ${record.name} did not open its monitor within ${MONITOR_WAIT_MS / 1000} s`, { hint: `see ${join(record.dir, VM_FILES.qemuLog)}` });
}

export async function qemuLogTail(record: Pick<VmRecord, 'dir'>): Promise<string> {
  const text = await readFile(join(record.dir, VM_FILES.qemuLog), 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-3).join(' | ') || 'no output';
}

/** The last lines of the VM's serial console: why a guest did not come up, when it did not. */
export async function consoleTail(record: Pick<VmRecord, 'dir'>, lines = 5): Promise<string> {
  const text = await readFile(join(record.dir, VM_FILES.console), 'utf8').catch(() => '');
  const kept = text.replace(/\r/g, '').split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return kept.slice(-lines).join(' | ') || 'the console is empty';
}

/**
 * The monitor's `quit` first (qemu closes its disks cleanly), then SIGTERM, then SIGKILL,
 * each given a few seconds: a qemu that no longer answers its monitor still goes.
 */
export async function stopQemu(record: VmRecord): Promise<void> {
  if (record.pid === undefined || !(await isRunning(record))) return;
  const pid = record.pid;
  const steps: (() => Promise<void>)[] = [
    () => qmpCommand(join(record.socketsDir, VM_SOCKETS.qmp), 'quit', undefined, STOP_STEP_MS).then(() => undefined, () => undefined),
    async () => signal(pid, 'SIGTERM'),
    async () => signal(pid, 'SIGKILL'),
  ];
  for (const step of steps) {
    await step();
    for (let waited = 0; waited < STOP_STEP_MS; waited += 100) {
      if (!(await isRunning(record))) return;
      await sleep(100);
    }
  }
  throw new HarnessError('PLATFORM_API', `qemu ${pid} of ${record.name} does not die`, { hint: `kill it by hand: kill -9 ${pid}` });
}

/** Instance.delete() and Platform.destroy(): the VM stopped, then everything it had on disk removed. */
export async function removeVm(record: VmRecord): Promise<void> {
  await stopQemu(record);
  await removeVmFiles(record);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
