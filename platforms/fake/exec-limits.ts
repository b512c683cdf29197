import { AbortedError, ExecTimeoutError } from '../../core/errors.js';
import type { ExecResult, ExecSpec } from '../types.js';

/**
 * Runs `work` under the ExecSpec's host-side limits: ExecTimeoutError once timeoutMs
 * passes, AbortedError once its signal aborts. Either way `work`'s own signal aborts too,
 * so that a simulated command stops its timers as a killed process would.
 */
export function withExecLimits(what: string, spec: ExecSpec, work: (signal: AbortSignal) => Promise<ExecResult>): Promise<ExecResult> {
  if (spec.signal?.aborted) return Promise.reject(new AbortedError(what));
  const stop = new AbortController();
  return new Promise<ExecResult>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      stop.abort();
      outcome();
    };
    const onAbort = (): void => finish(() => reject(new AbortedError(what)));
    const timer = spec.timeoutMs === undefined ? undefined : setTimeout(() => finish(() => reject(new ExecTimeoutError(what, spec.timeoutMs ?? 0))), spec.timeoutMs);
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    Promise.resolve().then(() => work(stop.signal)).then(
      (result) => finish(() => resolve(result)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}
