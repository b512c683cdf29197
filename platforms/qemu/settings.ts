import { UsageError } from '../../core/errors.js';
import type { PlatformOptions } from '../types.js';

/**
 * x86-64-v2 (so RHEL 9 and its kin boot) without AVX: TCG emulates vector instructions
 * slowly, and a guest told it has them uses them (`-cpu max` made cloud-init's host-key
 * generation 32 s of a 92 s boot here; 5 s of 65 s with this).
 */
const DEFAULT_TCG_CPU = 'Nehalem';

/** cloud-init authorizes the launch's key for root too, but prefixed by `disable_root` with a command that refuses the login. */
const DEFAULT_SSH_USER = 'debian';

/** What the qemu driver lets a user choose (`--platform-option key=value`), each with what it does. */
const SETTINGS = {
  accel: 'kvm, tcg, or auto (default): KVM when a probe boots a guest with it in seconds, else TCG',
  memory: 'MiB of memory per VM (default 1024)',
  cpus: 'virtual CPUs per VM (default 1: under TCG each vCPU is a host thread, and one VM per core boots a batch sooner; see docs/benchmarks.md)',
  cpu: `the CPU model under TCG (default ${DEFAULT_TCG_CPU}); KVM always gives the host's`,
  qemu: 'the qemu-system binary (default: qemu-system-x86_64 on PATH)',
  'ssh-user': `who logs in over SSH and becomes root through sudo -n (default ${DEFAULT_SSH_USER}, cloud-init's default user on Debian)`,
} as const;

export type AccelChoice = 'auto' | 'kvm' | 'tcg';

export interface QemuSettings {
  readonly accel: AccelChoice;
  readonly memoryMiB: number;
  readonly cpus: number;
  readonly tcgCpu: string;
  readonly qemuBinary: string;
  readonly sshUser: string;
}

export function qemuSettingsOf(options: PlatformOptions): QemuSettings {
  const given = options.settings;
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(SETTINGS, key)) {
      throw new UsageError(`the qemu platform has no setting "${key}"`, `its settings: ${Object.entries(SETTINGS).map(([name, what]) => `${name} (${what})`).join('; ')}`);
    }
  }
  const accel = given.accel ?? 'auto';
  if (accel !== 'auto' && accel !== 'kvm' && accel !== 'tcg') {
    throw new UsageError(`the qemu setting accel=${accel} is not one of auto, kvm, tcg`, 'give accel=auto, accel=kvm or accel=tcg');
  }
  return {
    accel,
    memoryMiB: wholeNumber(given, 'memory', 1024, 256),
    cpus: wholeNumber(given, 'cpus', 1, 1),
    tcgCpu: given.cpu ?? DEFAULT_TCG_CPU,
    qemuBinary: given.qemu ?? 'qemu-system-x86_64',
    sshUser: given['ssh-user'] ?? DEFAULT_SSH_USER,
  };
}

function wholeNumber(given: Readonly<Record<string, string>>, key: 'memory' | 'cpus', fallback: number, least: number): number {
  const text = given[key];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < least) throw new UsageError(`the qemu setting ${key}=${text} is not a whole number ≥ ${least}`, `${key}: ${SETTINGS[key]}`);
  return value;
}
