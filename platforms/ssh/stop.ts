/** Why an operation stopped early: its timeout, its caller's signal, or the transport's close(). */
export type StopCause = 'timeout' | 'aborted' | 'closed';

/** One operation's limits as one AbortSignal, remembering which of them tripped first. */
export class Stop {
  readonly timeoutMs: number | undefined;
  cause: StopCause | undefined;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly sources: [AbortSignal, () => void][] = [];

  constructor(timeoutMs: number | undefined, signal: AbortSignal | undefined, closing: AbortSignal) {
    this.timeoutMs = timeoutMs;
    for (const [source, cause] of [[closing, 'closed'], [signal, 'aborted']] as const) {
      if (source === undefined) continue;
      const listener = (): void => this.trip(cause);
      this.sources.push([source, listener]);
      if (source.aborted) listener();
      else source.addEventListener('abort', listener, { once: true });
    }
    this.timer = timeoutMs === undefined ? undefined : setTimeout(() => this.trip('timeout'), timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const [source, listener] of this.sources) source.removeEventListener('abort', listener);
  }

  private trip(cause: StopCause): void {
    if (this.cause !== undefined) return;
    this.cause = cause;
    this.controller.abort();
  }
}

/** `work`, or a rejection (with the signal's reason) as soon as `signal` aborts. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
