import { setTimeout as sleep } from 'node:timers/promises';
import type { LaunchSpec } from '../types.js';
import { BOOT_ID_PATH } from '../wait/index.js';
import type { FakeBehaviour } from './behaviour.js';
import { GuestFiles } from './guest-files.js';
import { bootIdOf } from './ids.js';
import { CLOUD_INIT_DISABLED, CLOUD_INIT_LOG } from '../../core/cloud-init-paths.js';
import { cloudInitLog, metaDataOf, nocloudSeed, SEED_DIR } from './seed.js';

export interface GuestSpec {
  readonly launch: LaunchSpec;
  readonly behaviour: FakeBehaviour;
  /** The files of the image it launches from when that image was published here; else a bare skeleton. */
  readonly base: GuestFiles | undefined;
  /** Upstream version, as cloud-init's log names it (`22.4.2`). */
  readonly cloudInitVersion: string;
  /** The late-preboot-files flaw: LaunchSpec.files land once the boot has begun. */
  readonly lateFiles?: boolean;
}

/** What a Debian-like root has before anyone writes to it, so that pushes into the usual places work. */
const SKELETON: readonly string[] = [
  '/bin', '/boot', '/dev', '/etc/apt/apt.conf.d', '/etc/apt/preferences.d', '/etc/apt/sources.list.d', '/etc/cloud/cloud.cfg.d',
  '/etc/default', '/etc/ssh', '/etc/systemd/system', '/home', '/opt', '/root', '/run', '/srv', '/tmp', '/usr/bin', '/usr/lib',
  '/usr/local/bin', '/usr/sbin', '/usr/share', '/var/cache', '/var/lib/apt/lists', '/var/log', '/var/tmp',
];

/**
 * The simulated machine behind a fake instance: its files, its boots and its console.
 * Each boot gets a new boot id; cloud-init "finishes" `bootMs` after a boot starts.
 */
export class FakeGuest {
  readonly name: string;
  readonly files: GuestFiles;
  readonly behaviour: FakeBehaviour;
  readonly userData: string;
  readonly vendorData: string | undefined;
  readonly metaData: Readonly<Record<string, unknown>>;
  private readonly cloudInitVersion: string;
  private boots = 0;
  private disabledThisBoot = false;
  private bootStartedAt = 0;
  private readonly console: string[] = [];

  constructor(spec: GuestSpec) {
    const { launch, behaviour } = spec;
    this.name = launch.name;
    this.behaviour = behaviour;
    this.userData = launch.userData;
    this.vendorData = launch.vendorData;
    this.metaData = metaDataOf(launch);
    this.cloudInitVersion = spec.cloudInitVersion;
    this.files = spec.base?.copyFor(launch.name) ?? skeleton(launch.name);
    this.files.write('/etc/hostname', `${launch.name}\n`);
    // An image published here still holds its instance's seed: this launch serves its own only.
    this.files.removeFilesUnder(SEED_DIR);
    for (const [path, content] of nocloudSeed(launch)) this.files.write(path, content);
    // Pushed as into a stopped LXD container: into directories the image has, before anything boots.
    if (!spec.lateFiles) this.pushFiles(launch);
    this.boot();
    if (!this.cloudInitDisabled) this.files.write(CLOUD_INIT_LOG, behaviour.log ?? cloudInitLog(launch, spec.cloudInitVersion));
    for (const [path, content] of Object.entries(behaviour.files ?? {})) this.files.write(path, content);
    if (spec.lateFiles) this.pushFiles(launch);
  }

  get bootCount(): number {
    return this.boots;
  }

  reboot(): void {
    this.console.push('reboot: Restarting system');
    this.boot();
  }

  powerOff(): void {
    this.console.push('reboot: Power down');
  }

  /** As cloud-init's systemd generator decides as each boot starts: the marker file keeps cloud-init from running at all. */
  get cloudInitDisabled(): boolean {
    return this.disabledThisBoot;
  }

  /** `cloud-init status --wait`: resolves when this boot's cloud-init is done (at once when it is disabled); rejects when `signal` aborts. */
  async cloudInitDone(signal: AbortSignal): Promise<void> {
    if (this.cloudInitDisabled) return;
    if (this.behaviour.bootHangs) {
      await new Promise<never>((_resolve, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    await sleep(Math.max(0, this.bootStartedAt + (this.behaviour.bootMs ?? 0) - Date.now()), undefined, { signal });
  }

  consoleLog(): string {
    return `${this.console.join('\n')}\n`;
  }

  private pushFiles(launch: LaunchSpec): void {
    for (const file of launch.files ?? []) this.files.push(file.path, file.content, file.mode === undefined ? {} : { mode: file.mode });
  }

  private boot(): void {
    this.boots += 1;
    this.disabledThisBoot = this.files.stat(CLOUD_INIT_DISABLED) !== undefined;
    this.bootStartedAt = Date.now();
    const bootId = bootIdOf(this.name, this.boots);
    this.files.write(BOOT_ID_PATH, `${bootId}\n`);
    this.console.push(
      `[    0.000000] Linux version 6.1.0-fake (fake platform boot ${this.boots})`,
      `[    0.000000] random: boot id ${bootId}`,
      `[    1.000000] cloud-init[1]: Cloud-init v. ${this.cloudInitVersion} running 'init-local'`,
      `${this.name} login: `,
    );
  }
}

function skeleton(owner: string): GuestFiles {
  const files = new GuestFiles(owner);
  for (const directory of SKELETON) files.makeDirectory(directory);
  return files;
}
