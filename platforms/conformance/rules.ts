import type { KnownCapability } from '../../core/capabilities.js';

/**
 * The rules of the platform standard (docs/platforms.md quotes them by id), in the order
 * the suite checks them. An id never changes meaning: a new check gets a new id.
 */
export interface RuleInfo {
  readonly id: string;
  readonly title: string;
  /** Checked only when the driver declares it; absent: required of every driver. */
  readonly capability?: KnownCapability;
  /** Set when the suite cannot check the rule yet, saying why; such a rule is never reported passed. */
  readonly uncheckedBecause?: string;
}

export const RULES = [
  { id: 'capabilities.declared', title: 'the platform offers exactly what its driver declares, every name a capability' },
  { id: 'limits.declared', title: 'limits are sane, and a declared user-data limit holds to the byte' },
  { id: 'launch.failure-leaves-nothing', title: 'a launch that fails rejects and leaves nothing behind' },
  { id: 'readiness.ready', title: 'a fresh instance gets ready in time, then cloud-init finishes' },
  { id: 'launch.labels-round-trip', title: 'listByLabel finds an instance by some of its labels, with all of them, and not by a wrong value' },
  { id: 'exec.exit-code', title: "exec returns the command's exit code" },
  { id: 'exec.root', title: 'exec runs as root' },
  { id: 'exec.stdin', title: 'exec passes stdin through, every byte value' },
  { id: 'exec.binary-output', title: 'exec returns 10 MiB of binary stdout intact' },
  { id: 'exec.timeout', title: 'exec past its timeoutMs rejects with EXEC_TIMEOUT' },
  { id: 'exec.abort', title: 'exec rejects with AbortedError when its signal aborts' },
  { id: 'files.push-pull', title: 'push and pull move bytes intact, push sets the mode, pull of a missing file is undefined' },
  { id: 'user-data.delivered', title: 'cloud-init reads the exact user-data of the launch' },
  { id: 'console-log.readable', title: 'consoleLog returns a string once the instance is ready', capability: 'console-log' },
  { id: 'vendor-data.delivered', title: 'cloud-init reads the vendor-data of the launch', capability: 'vendor-data' },
  { id: 'meta-data.delivered', title: "cloud-init reads the launch's meta-data keys", capability: 'meta-data' },
  { id: 'network-config.delivered', title: "cloud-init applies the launch's network configuration", capability: 'network-config' },
  { id: 'preboot-files.before-first-boot', title: "the launch's files are in place, with their mode, before the first boot: cloud-init sees its disabled marker", capability: 'preboot-files' },
  { id: 'gc.finds-killed-run', title: 'a fresh platform finds and destroys what a killed process launched' },
  { id: 'out-of-band-exec.without-sshd', title: 'exec still works once sshd is stopped', capability: 'out-of-band-exec' },
  { id: 'reboot.new-boot-id', title: 'restart returns in a new boot, and exec works there', capability: 'reboot' },
  { id: 'publish.launches', title: 'a published instance launches as an image, and deleteImage is idempotent', capability: 'publish' },
  { id: 'delete.idempotent', title: 'delete and destroy can be repeated, and the instance is gone' },
  {
    id: 'ssh.reachable',
    title: "launched over SSH, the suite's own SSH client logs in at the instance's endpoint with the run's key and is root, and the instance's exec runs under sshd",
    capability: 'ssh',
  },
  {
    id: 'image-import.launches',
    title: 'an image imported from a root filesystem launches',
    capability: 'image-import',
    uncheckedBecause: 'the suite builds no root filesystem to import (harness setup and image build exercise importImage)',
  },
] as const satisfies readonly RuleInfo[];

export type RuleId = (typeof RULES)[number]['id'];

export function isRuleId(id: string): id is RuleId {
  return RULES.some((rule) => rule.id === id);
}

/** The rules that say whether a driver supports a capability, or for `required` every rule all drivers must pass. */
export function rulesOf(column: KnownCapability | 'required'): readonly RuleInfo[] {
  return (RULES as readonly RuleInfo[]).filter((rule) => (column === 'required' ? rule.capability === undefined : rule.capability === column));
}

/**
 * What each rule's outcome is for a driver that meets the standard with these capabilities:
 * passed, or not-declared, or unchecked where the suite cannot check it yet. A driver's own
 * test compares a run's outcomes with it.
 */
export function expectedOutcomes(capabilities: readonly string[]): Record<string, 'passed' | 'not-declared' | 'unchecked'> {
  return Object.fromEntries(
    (RULES as readonly RuleInfo[]).map((rule) => [
      rule.id,
      rule.capability !== undefined && !capabilities.includes(rule.capability) ? 'not-declared' : rule.uncheckedBecause !== undefined ? 'unchecked' : 'passed',
    ]),
  );
}

/** A run's outcomes in the same shape, a failure with its detail so that a test's diff says why. */
export function outcomesOf(rules: readonly { readonly id: string; readonly outcome: string; readonly detail?: string }[]): Record<string, string> {
  return Object.fromEntries(rules.map((rule) => [rule.id, rule.outcome === 'failed' ? `failed: ${rule.detail}` : rule.outcome]));
}
