import { HarnessError } from '../errors.js';
import type { Instance } from '../../platforms/types.js';

/**
 * Readiness: cloud-init has finished, whatever the outcome. `cloud-init status --wait`
 * polls inside the instance, so this is one exec per boot, not a host-side sleep loop.
 * Judging the outcome is the checks' business, not the wait's.
 */
export async function waitForCloudInit(instance: Instance, timeoutS: number, signal: AbortSignal): Promise<void> {
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
