import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, HarnessError, isHarnessError } from '../../core/errors.js';
import type { Instance, WaitOptions, WaitStrategy } from '../types.js';

export interface ExecWorksOptions {
  /** Between failed tries. */
  readonly pollMs?: number;
  /** One try's own limit, so that a hung transport does not eat the whole timeout. */
  readonly tryTimeoutMs?: number;
  /** Why the instance can no longer get ready (its VM process exited), checked before each try; undefined while it can. */
  readonly whyNever?: (instance: Instance) => Promise<string | undefined>;
  /** What the platform can tell about a guest that did not get ready (its console's last lines), for the error. */
  readonly explain?: (instance: Instance) => Promise<string>;
}

/**
 * Ready when `true` runs in the instance and exits 0: for a transport that answers only
 * once something in the guest is up (sshd, a guest agent), retried until the timeout. An
 * out-of-band transport that works as soon as the instance runs passes on the first try.
 */
export function execWorks(options: ExecWorksOptions = {}): WaitStrategy {
  const pollMs = options.pollMs ?? 1000;
  const tryTimeoutMs = options.tryTimeoutMs ?? 15_000;
  const explained = async (instance: Instance): Promise<string> => (options.explain === undefined ? '' : `; ${await options.explain(instance)}`);
  return {
    description: 'exec of `true` succeeds',
    async waitUntilReady(instance: Instance, wait: WaitOptions): Promise<void> {
      const deadline = Date.now() + wait.timeoutMs;
      let lastProblem = 'no try finished';
      for (;;) {
        if (wait.signal?.aborted) throw new AbortedError(`waiting for ${instance.name}`);
        const never = await options.whyNever?.(instance);
        if (never !== undefined) {
          throw new HarnessError('BOOT_TIMEOUT', `${instance.name} will not get ready: ${never}${await explained(instance)}`, { hint: 'the image may not boot: read its console log' });
        }
        const left = deadline - Date.now();
        if (left <= 0) break;
        try {
          const result = await instance.exec({ command: ['true'], timeoutMs: Math.min(tryTimeoutMs, left), ...(wait.signal ? { signal: wait.signal } : {}) });
          if (result.exitCode === 0) return;
          lastProblem = `\`true\` exited ${result.exitCode}`;
        } catch (error) {
          if (error instanceof AbortedError) throw error;
          lastProblem = isHarnessError(error) ? error.oneLine() : String(error);
        }
        await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), undefined, wait.signal ? { signal: wait.signal } : {}).catch(() => undefined);
      }
      throw new HarnessError('BOOT_TIMEOUT', `${instance.name} could not be reached within ${Math.round(wait.timeoutMs / 1000)} s (last try: ${lastProblem})${await explained(instance)}`, {
        hint: "raise the case's `timeout:`, or look at the instance's console log",
      });
    },
  };
}
