import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, HarnessError, isHarnessError } from '../../core/errors.js';
import type { Instance } from '../types.js';

/** The kernel's id of the running boot: a new one on every boot, on every Linux guest. */
export const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';

export async function readBootId(instance: Instance, signal?: AbortSignal): Promise<string> {
  const result = await instance.exec({ command: ['cat', BOOT_ID_PATH], timeoutMs: 15_000, ...(signal ? { signal } : {}) });
  const id = result.stdout.toString('utf8').trim();
  if (result.exitCode !== 0 || id === '') {
    throw new HarnessError('PLATFORM_API', `cannot read ${BOOT_ID_PATH} in ${instance.name} (exit ${result.exitCode})`);
  }
  return id;
}

export interface NewBootOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * `Instance.restart()` for every driver: the driver's own reboot, then wait until the
 * instance answers with a boot id other than the one before. A platform's "running again"
 * can come before the old boot has gone down; only a new boot id says the guest really
 * rebooted.
 */
export async function restartIntoNewBoot(instance: Instance, reboot: () => Promise<void>, options: NewBootOptions): Promise<void> {
  const before = await readBootId(instance, options.signal);
  await reboot();
  const deadline = Date.now() + options.timeoutMs;
  let last = 'the old boot id';
  while (Date.now() < deadline) {
    if (options.signal?.aborted) throw new AbortedError(`restart of ${instance.name}`);
    try {
      const now = await readBootId(instance, options.signal);
      if (now !== before) return;
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      // Expected while the guest is down; kept for the timeout's message.
      last = isHarnessError(error) ? error.oneLine() : String(error);
    }
    await sleep(options.pollMs ?? 500, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
  }
  throw new HarnessError('BOOT_TIMEOUT', `${instance.name} did not come back with a new boot within ${Math.round(options.timeoutMs / 1000)} s (last seen: ${last})`);
}
