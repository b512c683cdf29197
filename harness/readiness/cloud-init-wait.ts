import { HarnessError } from '../../core/errors.js';
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
