import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SshTransport } from '../ssh/index.js';
import type { ExecResult, ExecSpec, ImageInfo, Instance, Labels, PublishSpec, PushOptions, SshEndpoint, Transport } from '../types.js';
import { restartIntoNewBoot } from '../wait/index.js';
import { GuestAgent } from './guest-agent.js';
import { VM_FILES, VM_SOCKETS, type VmRecord } from './instance-record.js';
import type { QemuImageStore } from './image-store.js';
import { publishVm } from './publish.js';
import { SSH_TRY_MS, type ObservedVm } from './readiness.js';
import { removeVm } from './vm.js';

/** A whole file through the agent's virtio-serial port, in 1 MiB chunks: seconds for tens of MiB at native speed. */
const FILE_TIMEOUT_MS = 60_000;
/** The reboot is the guest's own (systemd stops the boot cleanly); under TCG a new boot answers in about a minute. */
const NEW_BOOT_TIMEOUT_MS = 240_000;
/** systemd stops a booted Debian guest in seconds at native speed. */
const POWER_OFF_TIMEOUT_MS = 60_000;

/**
 * A VM reached out of band: exec and files go through qemu-guest-agent on a virtio-serial
 * port, so neither the guest's network nor its sshd is needed; the console is the file qemu
 * writes the serial port to, across every boot of this VM. A launch over SSH has exec and
 * files go through qemu's port forward to its sshd instead, logged in as cloud-init's
 * default user and root through sudo; the agent still reboots it and tells readiness
 * that it booted.
 */
export class QemuInstance implements Instance, ObservedVm {
  readonly name: string;
  readonly labels: Labels;
  readonly record: VmRecord;
  readonly transport: Transport;
  readonly sshEndpoint: SshEndpoint | undefined;
  private readonly agent: GuestAgent;
  private readonly ssh: SshTransport | undefined;
  private readonly timeFactor: number;
  private readonly images: QemuImageStore;

  /** `privateKey` is the launch's access key, for a record whose transport is SSH. */
  constructor(record: VmRecord, timeFactor: number, images: QemuImageStore, privateKey?: string) {
    this.record = record;
    this.images = images;
    this.name = record.name;
    this.labels = record.labels;
    this.timeFactor = timeFactor;
    this.agent = new GuestAgent(join(record.socketsDir, VM_SOCKETS.agent));
    this.transport = record.transport ?? 'out-of-band';
    this.sshEndpoint = record.ssh;
    this.ssh = record.ssh === undefined || privateKey === undefined
      ? undefined
      : new SshTransport({ ...record.ssh, privateKey, connectTimeoutMs: SSH_TRY_MS, what: `VM ${record.name}` });
  }

  exec(spec: ExecSpec): Promise<ExecResult> {
    return this.ssh?.exec(spec) ?? this.agent.exec(spec);
  }

  push(path: string, content: Uint8Array | string, options?: PushOptions): Promise<void> {
    const limits = { ...options, timeoutMs: FILE_TIMEOUT_MS * this.timeFactor };
    return this.ssh?.push(path, content, limits) ?? this.agent.writeFile(path, content, limits);
  }

  pull(path: string): Promise<Buffer | undefined> {
    const limits = { timeoutMs: FILE_TIMEOUT_MS * this.timeFactor };
    return this.ssh?.pull(path, limits) ?? this.agent.readFile(path, limits);
  }

  /** This VM with exec through the guest agent: readiness asks the agent first, whatever the transport. */
  outOfBand(): Instance {
    return Object.create(this, { exec: { value: (spec: ExecSpec) => this.agent.exec(spec) } }) as Instance;
  }

  async consoleLog(): Promise<string> {
    return (await readFile(join(this.record.dir, VM_FILES.console)).catch(() => Buffer.alloc(0))).toString('utf8');
  }

  restart(signal?: AbortSignal): Promise<void> {
    return restartIntoNewBoot(this, () => this.agent.reboot(), { timeoutMs: NEW_BOOT_TIMEOUT_MS * this.timeFactor, ...(signal === undefined ? {} : { signal }) });
  }

  publish(spec: PublishSpec): Promise<ImageInfo> {
    this.disconnect();
    return publishVm(this.record, spec, { images: this.images, powerOffTimeoutMs: POWER_OFF_TIMEOUT_MS * this.timeFactor });
  }

  /** Ends the agent's and SSH's connections; the VM runs on. */
  disconnect(): void {
    this.agent.close();
    this.ssh?.close();
  }

  async delete(): Promise<void> {
    this.disconnect();
    await removeVm(this.record);
  }

  howToReach(): string {
    const ssh = this.record.ssh;
    const login = ssh === undefined ? '' : `ssh -i ${join(this.record.dir, VM_FILES.sshKey)} -p ${ssh.port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null ${ssh.username}@${ssh.host} (root through sudo -i); `;
    return `${login}its serial console: ${join(this.record.dir, VM_FILES.console)}; its guest agent: ${join(this.record.socketsDir, VM_SOCKETS.agent)} (e.g. socat - unix-connect:<path>, then {"execute":"guest-ping"})`;
  }
}
