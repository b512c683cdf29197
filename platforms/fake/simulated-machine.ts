import type { ExecResult, ExecSpec, LaunchSpec, PushOptions } from '../types.js';
import { withExecLimits } from './exec-limits.js';
import { runGuestCommand } from './guest-exec.js';
import { FakeGuest } from './guest.js';

/**
 * The fake's simulated guest, for drivers outside this package to stand behind a pretend
 * cloud in their own tests and examples: it boots with a LaunchSpec's seed, speaks the
 * fake's exec vocabulary (see guest-exec.ts) under ExecSpec's timeout and abort, keeps
 * files binary-safe and gets a new boot id on every reboot. Nothing of it outlives the
 * process.
 */
export class SimulatedMachine {
  private readonly guest: FakeGuest;

  constructor(launch: LaunchSpec, cloudInitVersion = '22.4.2') {
    this.guest = new FakeGuest({ launch, behaviour: {}, base: undefined, cloudInitVersion });
  }

  exec(spec: ExecSpec): Promise<ExecResult> {
    return withExecLimits(`\`${spec.command.join(' ')}\` in ${this.guest.name}`, spec, (signal) => runGuestCommand(this.guest, spec, signal));
  }

  push(path: string, content: Uint8Array | string, options: PushOptions = {}): void {
    this.guest.files.push(path, content, options);
  }

  pull(path: string): Buffer | undefined {
    return this.guest.files.read(path);
  }

  reboot(): void {
    this.guest.reboot();
  }

  consoleLog(): string {
    return this.guest.consoleLog();
  }
}
