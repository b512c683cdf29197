import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HarnessError } from '../../core/errors.js';
import type { ExecResult, ExecSpec, ImageInfo, Instance, Labels, PublishSpec, PushOptions } from '../types.js';
import { restartIntoNewBoot } from '../wait/index.js';
import { GuestAgent } from './guest-agent.js';
import { VM_FILES, VM_SOCKETS, type VmRecord } from './instance-record.js';
import type { ObservedVm } from './readiness.js';
import { removeVm } from './vm.js';

/** A whole file through the agent's virtio-serial port, in 1 MiB chunks: seconds for tens of MiB at native speed. */
const FILE_TIMEOUT_MS = 60_000;
/** The reboot is the guest's own (systemd stops the boot cleanly); under TCG a new boot answers in about a minute. */
const NEW_BOOT_TIMEOUT_MS = 240_000;

/**
 * A VM reached out of band: exec and files go through qemu-guest-agent on a virtio-serial
 * port, so neither the guest's network nor its sshd is needed; the console is the file qemu
 * writes the serial port to, across every boot of this VM.
 */
export class QemuInstance implements Instance, ObservedVm {
  readonly name: string;
  readonly labels: Labels;
  readonly record: VmRecord;
  private readonly agent: GuestAgent;
  private readonly timeFactor: number;

  constructor(record: VmRecord, timeFactor: number) {
    this.record = record;
    this.name = record.name;
    this.labels = record.labels;
    this.timeFactor = timeFactor;
    this.agent = new GuestAgent(join(record.socketsDir, VM_SOCKETS.agent));
  }

  exec(spec: ExecSpec): Promise<ExecResult> {
    return this.agent.exec(spec);
  }

  push(path: string, content: Uint8Array | string, options?: PushOptions): Promise<void> {
    return this.agent.writeFile(path, content, { ...options, timeoutMs: FILE_TIMEOUT_MS * this.timeFactor });
  }

  pull(path: string): Promise<Buffer | undefined> {
    return this.agent.readFile(path, { timeoutMs: FILE_TIMEOUT_MS * this.timeFactor });
  }

  async consoleLog(): Promise<string> {
    return (await readFile(join(this.record.dir, VM_FILES.console)).catch(() => Buffer.alloc(0))).toString('utf8');
  }

  restart(signal?: AbortSignal): Promise<void> {
    return restartIntoNewBoot(this, () => this.agent.reboot(), { timeoutMs: NEW_BOOT_TIMEOUT_MS * this.timeFactor, ...(signal === undefined ? {} : { signal }) });
  }

  publish(_spec: PublishSpec): Promise<ImageInfo> {
    throw new HarnessError('NOT_SUPPORTED', 'the qemu platform cannot publish an instance as an image yet', { hint: 'use --platform lxd for a run with --build' });
  }

  /** Ends the agent connection; the VM runs on. */
  disconnect(): void {
    this.agent.close();
  }

  async delete(): Promise<void> {
    this.agent.close();
    await removeVm(this.record);
  }

  howToReach(): string {
    return `its serial console: ${join(this.record.dir, VM_FILES.console)}; its guest agent: ${join(this.record.socketsDir, VM_SOCKETS.agent)} (e.g. socat - unix-connect:<path>, then {"execute":"guest-ping"})`;
  }
}
