import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, HarnessError } from '../../core/errors.js';
import type { Instance, Platform } from '../../platforms/types.js';

/**
 * A boot is over when two waits have passed, in this order: the driver's own readiness
 * (its transport answers: at once for LXD's API, once sshd is up for an SSH platform),
 * then cloud-init's. Both share the case's timeout, scaled by the platform's declared
 * factor for slow accelerators.
 */
export async function waitForBoot(platform: Platform, instance: Instance, timeoutS: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutS * 1000 * platform.limits.bootTimeoutFactor;
  await platform.readiness.waitUntilReady(instance, { timeoutMs: deadline - Date.now(), signal });
  await waitForCloudInit(instance, Math.max(1, Math.round((deadline - Date.now()) / 1000)), signal);
}

/**
 * cloud-init has finished, whatever the outcome. `cloud-init status --wait` polls inside
 * the instance, so this is one exec per boot, not a host-side sleep loop. Judging the
 * outcome is the checks' business, not the wait's.
 */
async function waitForCloudInit(instance: Instance, timeoutS: number, signal: AbortSignal): Promise<void> {
  try {
    await instance.exec({ command: ['cloud-init', 'status', '--wait'], timeoutMs: timeoutS * 1000, signal });
  } catch (error) {
    if (error instanceof HarnessError && error.code === 'EXEC_TIMEOUT') {
      throw new HarnessError('BOOT_TIMEOUT', `cloud-init did not finish within ${timeoutS} s`, {
        hint: 'raise the case\'s `timeout:` if the boot is legitimately slow',
        cause: error,
      });
    }
    throw error;
  }
}

/** The line cloud-init logs as each boot's first stage starts: its own count of the boots it ran in. */
export const BOOT_START_LINE = "running 'init-local'";

/**
 * Waits until cloud-init.log shows `boots` boots: for a case whose instance reboots itself
 * (power_state), counted from the product's own log rather than from boot ids, which the
 * harness could read too late (the reboot may come before the first read). Returns how many
 * it saw; fewer than asked means the instance did not reboot in time, which the checks judge.
 */
export async function waitForOwnReboots(platform: Platform, instance: Instance, boots: number, timeoutS: number, signal: AbortSignal): Promise<number> {
  const deadline = Date.now() + boots * timeoutS * 1000 * platform.limits.bootTimeoutFactor;
  let seen = 0;
  while (Date.now() < deadline && !signal.aborted) {
    try {
      await platform.readiness.waitUntilReady(instance, { timeoutMs: Math.max(1000, deadline - Date.now()), signal });
      const counted = await instance.exec({ command: ['grep', '-c', BOOT_START_LINE, '/var/log/cloud-init.log'], timeoutMs: 15_000, signal });
      seen = Number(counted.stdout.toString('utf8').trim()) || 0;
      if (seen >= boots) return seen;
    } catch (error) {
      if (signal.aborted) throw error;
      // The instance is going down or coming up: ask again.
    }
    await sleep(1000, undefined, { signal }).catch(() => undefined);
  }
  if (signal.aborted) throw new AbortedError(`waiting for ${instance.name} to reboot`);
  return seen;
}
