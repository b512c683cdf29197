import { AbortedError, HarnessError } from '../../core/errors.js';
import type { Capability, ExecResult, ExecSpec, ImageInfo, Instance, Labels, PublishSpec, PushOptions } from '../types.js';
import { restartIntoNewBoot } from '../wait/index.js';
import type { FakeCall } from './calls.js';
import { withExecLimits } from './exec-limits.js';
import type { FakeFlaws } from './flaws.js';
import { runGuestCommand } from './guest-exec.js';
import type { FakeGuest } from './guest.js';
import { requireCapability } from './require-capability.js';
import type { FakeStore, InstanceRecord } from './store.js';

/** A test's answer to a command, consulted before the guest's own vocabulary; undefined leaves it to the guest. */
export type ExecHook = (instance: FakeInstance, spec: ExecSpec) => Promise<ExecResult | undefined> | ExecResult | undefined;

/** What a FakeInstance needs of the FakePlatform that launched it. */
export interface InstanceHost {
  readonly capabilities: ReadonlySet<Capability>;
  readonly flaws: FakeFlaws;
  readonly store: FakeStore;
  readonly onExec: ExecHook | undefined;
  record(call: FakeCall): void;
  /** Throws once the platform is closed. */
  checkOpen(): void;
  /** Registers an image made of `guest` (stopped by then). */
  publish(guest: FakeGuest, spec: PublishSpec): Promise<ImageInfo>;
}

/** The fake reboots at once; this only bounds the wait for a reboot that never came. */
const RESTART_TIMEOUT_MS = 5_000;
const RESTART_POLL_MS = 20;

/**
 * One fake instance: its record in the platform's store says whether it exists and
 * runs (another process may have destroyed it), its FakeGuest holds what is inside.
 */
export class FakeInstance implements Instance {
  readonly name: string;
  readonly labels: Labels;
  private readonly host: InstanceHost;
  private readonly guest: FakeGuest;

  constructor(host: InstanceHost, guest: FakeGuest, labels: Labels) {
    this.host = host;
    this.guest = guest;
    this.name = guest.name;
    this.labels = labels;
  }

  async exec(spec: ExecSpec): Promise<ExecResult> {
    this.host.record({ kind: 'exec', instance: this.name, command: [...spec.command], spec });
    const what = `\`${spec.command.join(' ')}\` in ${this.name}`;
    await this.running(what);
    return withExecLimits(what, spec, async (signal) => (await this.host.onExec?.(this, spec)) ?? runGuestCommand(this.guest, spec, signal));
  }

  async push(path: string, content: Uint8Array | string, options: PushOptions = {}): Promise<void> {
    this.host.record({ kind: 'push', instance: this.name, path, content: Buffer.from(content), options });
    await this.existing(`push of ${path}`);
    this.guest.files.push(path, content, options);
  }

  async pull(path: string): Promise<Buffer | undefined> {
    await this.existing(`pull of ${path}`);
    return this.guest.files.read(path);
  }

  async consoleLog(): Promise<string> {
    requireCapability(this.host.capabilities, 'console-log', `the console log of ${this.name}`);
    await this.existing('reading the console log');
    return this.guest.consoleLog();
  }

  async restart(signal?: AbortSignal): Promise<void> {
    this.host.record({ kind: 'restart', instance: this.name });
    requireCapability(this.host.capabilities, 'reboot', `restart of ${this.name}`);
    await this.running(`restart of ${this.name}`);
    // The flaw: a driver that takes "running again" for a new boot, returning while the old one runs on.
    if (this.host.flaws.staleRestart) return;
    await restartIntoNewBoot(this, async () => this.guest.reboot(), { timeoutMs: RESTART_TIMEOUT_MS, pollMs: RESTART_POLL_MS, ...(signal ? { signal } : {}) });
  }

  async publish(spec: PublishSpec): Promise<ImageInfo> {
    this.host.record({ kind: 'publish', instance: this.name, spec });
    requireCapability(this.host.capabilities, 'publish', `publish of ${this.name}`);
    const record = await this.existing(`publish of ${this.name}`);
    if (spec.signal?.aborted) throw new AbortedError(`publish of ${this.name}`);
    if (record.status === 'Running') {
      await this.host.store.putInstance({ ...record, status: 'Stopped' });
      this.guest.powerOff();
    }
    return this.host.publish(this.guest, spec);
  }

  async delete(): Promise<void> {
    this.host.record({ kind: 'delete', instance: this.name });
    this.host.checkOpen();
    await this.host.store.removeInstance(this.name);
  }

  howToReach(): string {
    return `fake-shell ${this.name} (simulated in the harness process: there is no shell to reach)`;
  }

  private async existing(what: string): Promise<InstanceRecord> {
    this.host.checkOpen();
    const record = await this.host.store.instance(this.name);
    if (record === undefined) throw new HarnessError('PLATFORM_API', `${what} failed: the fake instance ${this.name} does not exist`);
    return record;
  }

  private async running(what: string): Promise<void> {
    const record = await this.existing(what);
    if (record.status !== 'Running') throw new HarnessError('PLATFORM_API', `${what} failed: the fake instance ${this.name} is not running (${record.status})`);
  }
}
