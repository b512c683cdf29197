import { randomInt } from 'node:crypto';
import { once, setMaxListeners } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, ExecTimeoutError, HarnessError, UsageError } from '../../core/errors.js';
import type { ExecResult, ExecSpec, PushOptions } from '../types.js';

/** Limits of one operation; the timeout covers everything it sends, queueing included. */
export interface CallOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface GuestAgentOptions {
  /** The timeout of an operation that names none, and of each request an exec makes. */
  readonly timeoutMs?: number;
}

/** The agent answered a request with `{"error": …}`. */
export class GuestAgentCommandError extends HarnessError {
  readonly errorClass: string;
  readonly desc: string;

  constructor(socketPath: string, command: string, errorClass: string, desc: string) {
    super('PLATFORM_API', `guest agent at ${socketPath} refused ${command}: ${desc}`, {
      hint: 'see the guest agent log in the guest (journalctl -u qemu-guest-agent)',
    });
    this.errorClass = errorClass;
    this.desc = desc;
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** The agent's own environment is nearly empty; commands expect what a login shell has. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Raw bytes per guest-file-read/-write: well under the agent's 48 MiB read cap and its JSON token limit. */
const CHUNK_BYTES = 1024 * 1024;
/** Killing a timed-out command must not hold the caller much past its deadline. */
const KILL_BUDGET_MS = 1000;
const CLEANUP_TIMEOUT_MS = 5000;
/** guest-shutdown fails fast (its shutdown command exits non-zero at once) and says nothing when it works. */
const REFUSAL_WAIT_MS = 2000;
/** guest-sync-delimited puts it before its reply; sent to the agent, it resets the agent's JSON parser. */
const SENTINEL = 0xff;
const NEWLINE = 0x0a;

interface Limit {
  readonly timeoutMs: number;
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
}

interface ExecStatus {
  readonly exited: boolean;
  readonly exitcode?: number;
  readonly signal?: number;
  readonly 'out-data'?: string;
  readonly 'err-data'?: string;
  readonly 'out-truncated'?: boolean;
  readonly 'err-truncated'?: boolean;
}

interface FileRead {
  readonly 'buf-b64': string;
  readonly eof: boolean;
}

/**
 * A client of qemu-guest-agent (QGA) over the unix socket qemu gives its virtio-serial
 * port. The agent answers one request at a time, in order, and replies carry nothing that
 * ties them to a request; so requests are queued, never two in flight, and any request
 * whose reply was not read (timeout, abort, garbage, a reboot) leaves the stream out of
 * sync: the next request first resynchronises with guest-sync-delimited. The connection
 * is made on first use and again after it dropped.
 */
export class GuestAgent {
  readonly socketPath: string;
  private readonly timeoutMs: number;
  private readonly closing = new AbortController();
  private socket: Socket | undefined;
  private inbox = new Inbox();
  /** True only while nothing we sent is unanswered. */
  private synced = false;
  private wake: (() => void) | undefined;
  private turn: Promise<void> = Promise.resolve();

  constructor(socketPath: string, options: GuestAgentOptions = {}) {
    this.socketPath = socketPath;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Every waiting request listens for close(): many at once is normal, not a leak.
    setMaxListeners(Infinity, this.closing.signal);
  }

  async ping(timeoutMs?: number, signal?: AbortSignal): Promise<void> {
    await this.call('guest-ping', undefined, this.limit({ timeoutMs, signal }));
  }

  /**
   * guest-exec, then guest-exec-status until the agent says it exited. QGA has no cwd, so
   * a cwd runs the command through `sh` after a `cd`. On timeout or abort only the process
   * the agent started is killed: children it forked may live on.
   */
  async exec(spec: ExecSpec): Promise<ExecResult> {
    const what = `exec \`${brief(spec.command)}\` through the guest agent at ${this.socketPath}`;
    if (spec.signal?.aborted) throw new AbortedError(what);
    const args = execArguments(spec);
    const stop = new ExecStop(spec, this.closing.signal);
    const starting = this.start(args, stop.signal);
    starting.catch(() => undefined);
    let pid: number | undefined;
    try {
      pid = (await untilAborted(starting, stop.signal)).pid;
      return await this.collect(pid, stop.signal, what);
    } catch (error) {
      const notStarted = spawnFailure(error);
      if (notStarted !== undefined) return notStarted;
      if (!stop.signal.aborted) throw error;
      if (stop.cause === 'closed') throw this.closedError(what);
      pid ??= await untilAborted(starting, AbortSignal.timeout(KILL_BUDGET_MS)).then(
        (started) => started.pid,
        () => undefined,
      );
      if (pid !== undefined) await this.kill(pid);
      // An agent that is slow to answer still starts the command: kill it whenever it says its pid.
      else void starting.then((started) => this.kill(started.pid), () => undefined);
      throw stop.cause === 'timeout' ? new ExecTimeoutError(what, spec.timeoutMs ?? 0) : new AbortedError(what);
    } finally {
      stop.dispose();
    }
  }

  /** A file's bytes, following symlinks; undefined when it does not exist. */
  async readFile(path: string, options: CallOptions = {}): Promise<Buffer | undefined> {
    const limit = this.limit(options);
    let handle: number;
    try {
      handle = await this.call<number>('guest-file-open', { path, mode: 'r' }, limit);
    } catch (error) {
      if (isMissing(error, 'r')) return undefined;
      throw error;
    }
    try {
      const chunks: Buffer[] = [];
      for (;;) {
        const read = await this.call<FileRead>('guest-file-read', { handle, count: CHUNK_BYTES }, limit);
        chunks.push(Buffer.from(read['buf-b64'], 'base64'));
        if (read.eof) return Buffer.concat(chunks);
      }
    } finally {
      await this.closeQuietly(handle);
    }
  }

  /**
   * Replaces the file (or creates it; never its directory), then sets its mode and owner,
   * 0644 root:root unless told: the agent creates files with its own umask, and an
   * existing file keeps its owner when truncated.
   */
  async writeFile(path: string, content: Uint8Array | string, options: PushOptions & CallOptions = {}): Promise<void> {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const limit = this.limit(options);
    let handle: number;
    try {
      handle = await this.call<number>('guest-file-open', { path, mode: 'w' }, limit);
    } catch (error) {
      if (!isMissing(error, 'w')) throw error;
      throw new HarnessError('PLATFORM_API', `cannot write ${path} in the guest: its directory does not exist`, {
        hint: `create it first (mkdir -p ${posix.dirname(path)})`,
        cause: error,
      });
    }
    try {
      for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
        const chunk = bytes.subarray(at, at + CHUNK_BYTES);
        const written = await this.call<{ count: number }>('guest-file-write', { handle, 'buf-b64': chunk.toString('base64') }, limit);
        if (written.count !== chunk.length) {
          throw new HarnessError('PLATFORM_API', `the guest agent wrote ${written.count} of ${chunk.length} bytes to ${path}`, {
            hint: 'check free space in the guest (df -h)',
          });
        }
      }
    } catch (error) {
      await this.closeQuietly(handle);
      throw error;
    }
    // Closing flushes: a full disk may only show here.
    await this.call('guest-file-close', { handle }, limit);
    await this.setOwnership(path, options, limit);
  }

  /**
   * Asks the guest to reboot (guest-shutdown, mode reboot). The agent answers only when it
   * cannot: a refusal within REFUSAL_WAIT_MS is thrown, silence or a dropped connection
   * means the reboot is under way. Nothing here waits for the new boot.
   */
  async reboot(options: CallOptions = {}): Promise<void> {
    const command = 'guest-shutdown';
    await this.exclusive(command, this.limit(options), async (socket) => {
      this.send(socket, command, { mode: 'reboot' });
      let line: Buffer;
      try {
        line = await this.next(socket, this.limit({ timeoutMs: REFUSAL_WAIT_MS, signal: options.signal }), command, () => this.inbox.takeLine());
      } catch (error) {
        if (error instanceof AbortedError || this.closing.signal.aborted) throw error;
        return;
      }
      this.unwrap(command, line);
    });
  }

  /** Ends the connection; every pending and later request rejects. */
  close(): void {
    this.closing.abort();
    this.socket?.destroy();
    this.socket = undefined;
  }

  private limit(options: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined }): Limit {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return { timeoutMs, deadline: Date.now() + timeoutMs, signal: options.signal };
  }

  private call<T>(command: string, args: Readonly<Record<string, unknown>> | undefined, limit: Limit): Promise<T> {
    return this.exclusive(command, limit, async (socket) => {
      this.send(socket, command, args);
      return this.unwrap<T>(command, await this.next(socket, limit, command, () => this.inbox.takeLine()));
    });
  }

  /** `work` with the connection to itself, made and in sync. */
  private async exclusive<T>(command: string, limit: Limit, work: (socket: Socket) => Promise<T>): Promise<T> {
    const release = await this.acquire(limit, command);
    try {
      const socket = await this.connected(limit, command);
      if (!this.synced) await this.resync(socket, limit, command);
      return await work(socket);
    } finally {
      release();
    }
  }

  private send(socket: Socket, command: string, args: Readonly<Record<string, unknown>> | undefined): void {
    this.synced = false;
    socket.write(`${JSON.stringify(args === undefined ? { execute: command } : { execute: command, arguments: args })}\n`);
  }

  private unwrap<T>(command: string, line: Buffer): T {
    const reply = parseReply(line);
    if (reply === undefined) {
      throw new HarnessError('PLATFORM_API', `guest agent at ${this.socketPath} answered ${command} with something that is not a QGA reply: ${preview(line)}`, {
        hint: 'the guest may be rebooting; retry once it is up',
      });
    }
    this.synced = true;
    if ('error' in reply) throw new GuestAgentCommandError(this.socketPath, command, reply.error.class, reply.error.desc);
    return reply.return as T;
  }

  /** Waits for the requests before this one; a caller that gives up still leaves the order intact. */
  private async acquire(limit: Limit, command: string): Promise<() => void> {
    const previous = this.turn;
    let release = (): void => undefined;
    this.turn = new Promise((resolve) => {
      release = resolve;
    });
    try {
      await this.within(previous, limit, command);
    } catch (error) {
      void previous.then(release);
      throw error;
    }
    return release;
  }

  private async connected(limit: Limit, command: string): Promise<Socket> {
    if (this.socket !== undefined) return this.socket;
    const socket = createConnection(this.socketPath);
    // After connecting, a broken socket is seen by its close; its error is said by the request that notices.
    socket.on('error', () => undefined);
    try {
      await this.within(once(socket, 'connect'), limit, command);
    } catch (error) {
      socket.destroy();
      if (error instanceof HarnessError) throw error;
      throw new HarnessError('PLATFORM_API', `cannot connect to the guest agent at ${this.socketPath}: ${(error as Error).message}`, {
        hint: 'check that the VM is running: its qemu process makes this socket',
        cause: error,
      });
    }
    this.socket = socket;
    this.inbox = new Inbox();
    this.synced = false;
    socket.on('data', (chunk: Buffer) => {
      this.inbox.push(chunk);
      this.wakeReader();
    });
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      this.wakeReader();
    });
    return socket;
  }

  /**
   * Discards whatever is in the stream (the reply to a request given up on, a previous
   * boot's bytes) up to the echo of a fresh id. The leading sentinel makes the agent drop
   * a half-received request, which it answers with a parse error that is discarded too.
   */
  private async resync(socket: Socket, limit: Limit, command: string): Promise<void> {
    const id = randomInt(1, 2 ** 47);
    socket.write(Buffer.from([SENTINEL]));
    socket.write(`${JSON.stringify({ execute: 'guest-sync-delimited', arguments: { id } })}\n`);
    for (;;) {
      await this.next(socket, limit, command, () => this.inbox.skipPast(SENTINEL) || undefined);
      const line = await this.next(socket, limit, command, () => this.inbox.takeLine());
      const reply = parseReply(line);
      if (reply !== undefined && 'return' in reply && reply.return === id) break;
    }
    this.synced = true;
  }

  /** Waits until `take` finds what it looks for in the input. */
  private async next<T>(socket: Socket, limit: Limit, command: string, take: () => T | undefined): Promise<T> {
    for (;;) {
      const found = take();
      if (found !== undefined) return found;
      if (this.socket !== socket) {
        throw new HarnessError('PLATFORM_API', `the guest agent at ${this.socketPath} closed the connection during ${command}`, {
          hint: 'the guest may have rebooted or its qemu exited; retry once it is up',
        });
      }
      await this.within(
        new Promise<void>((resolve) => {
          this.wake = resolve;
        }),
        limit,
        command,
      );
    }
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** `work`, unless the limit's deadline or signal, or close(), comes first. */
  private within<T>(work: Promise<T>, limit: Limit, command: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const signals = limit.signal === undefined ? [this.closing.signal] : [this.closing.signal, limit.signal];
      const onAbort = (): void =>
        settle(() => reject(this.closing.signal.aborted ? this.closedError(command) : new AbortedError(`${command} to the guest agent at ${this.socketPath}`)));
      const timer = setTimeout(
        () =>
          settle(() =>
            reject(
              new HarnessError('PLATFORM_API', `guest agent at ${this.socketPath} did not answer ${command} within ${limit.timeoutMs / 1000} s`, {
                hint: 'check that qemu-guest-agent runs in the guest (systemctl status qemu-guest-agent)',
              }),
            ),
          ),
        Math.max(0, limit.deadline - Date.now()),
      );
      const settle = (finish: () => void): void => {
        clearTimeout(timer);
        for (const signal of signals) signal.removeEventListener('abort', onAbort);
        finish();
      };
      for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true });
      if (signals.some((signal) => signal.aborted)) onAbort();
      work.then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => settle(() => reject(error)),
      );
    });
  }

  private closedError(what: string): HarnessError {
    return new HarnessError('PLATFORM_API', `the guest agent client for ${this.socketPath} was closed during ${what}`, {
      hint: 'nothing to fix: the instance was being removed',
    });
  }

  /**
   * guest-exec, given up on when `signal` aborts before it is sent; once sent, its reply is
   * awaited whatever `signal` does, since the pid in it is what kills the command.
   */
  private start(args: Readonly<Record<string, unknown>>, signal: AbortSignal): Promise<{ pid: number }> {
    const command = 'guest-exec';
    return this.exclusive(command, this.limit({ signal }), async (socket) => {
      this.send(socket, command, args);
      return this.unwrap<{ pid: number }>(command, await this.next(socket, this.limit({}), command, () => this.inbox.takeLine()));
    });
  }

  private async collect(pid: number, signal: AbortSignal, what: string): Promise<ExecResult> {
    for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 500)) {
      const status = await this.call<ExecStatus>('guest-exec-status', { pid }, this.limit({ signal }));
      if (status.exited) return execResult(status, what);
      await sleep(delayMs, undefined, { signal });
    }
  }

  /** Best effort, within KILL_BUDGET_MS; then asks for both statuses, which frees them in the agent. */
  private async kill(pid: number): Promise<void> {
    const limit = this.limit({ timeoutMs: KILL_BUDGET_MS });
    try {
      // The shell's builtin kill: a minimal guest may have no kill binary.
      const killer = await this.call<{ pid: number }>('guest-exec', { path: 'sh', arg: ['-c', 'kill -KILL "$1"', 'sh', String(pid)] }, limit);
      for (const reaped of [pid, killer.pid]) {
        while (!(await this.call<ExecStatus>('guest-exec-status', { pid: reaped }, limit)).exited) await sleep(20);
      }
    } catch {
      // the caller reports the timeout or abort either way
    }
  }

  /** The agent frees a handle only on close: always try, even when the operation failed. */
  private async closeQuietly(handle: number): Promise<void> {
    await this.call('guest-file-close', { handle }, this.limit({ timeoutMs: CLEANUP_TIMEOUT_MS })).catch(() => undefined);
  }

  private async setOwnership(path: string, options: PushOptions & CallOptions, limit: Limit): Promise<void> {
    const owner = `${options.uid ?? 0}:${options.gid ?? 0}`;
    const mode = ((options.mode ?? 0o644) & 0o7777).toString(8);
    // chown first: it clears setuid/setgid bits that chmod sets.
    const result = await this.exec({
      command: ['sh', '-c', 'chown -- "$1" "$3" && chmod -- "$2" "$3"', 'sh', owner, mode, path],
      timeoutMs: Math.max(1, limit.deadline - Date.now()),
      ...(limit.signal === undefined ? {} : { signal: limit.signal }),
    });
    if (result.exitCode !== 0) {
      throw new HarnessError('PLATFORM_API', `cannot set mode ${mode} and owner ${owner} on ${path} in the guest: ${result.stderr.toString().trim()}`, {
        hint: 'check the uid, gid and mode given to push',
      });
    }
  }
}

/** Received bytes, kept as chunks: a reply of 10 MiB of output arrives in hundreds of them. */
class Inbox {
  private chunks: Buffer[] = [];
  /** Leading chunks known not to hold `scannedFor`. */
  private scanned = 0;
  private scannedFor = -1;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  /** The bytes before the next newline, which is consumed; undefined until one arrives. */
  takeLine(): Buffer | undefined {
    const at = this.find(NEWLINE);
    if (at === undefined) return undefined;
    const [chunk, offset] = at;
    const line = Buffer.concat([...this.chunks.slice(0, chunk), (this.chunks[chunk] as Buffer).subarray(0, offset)]);
    this.dropThrough(chunk, offset);
    return line;
  }

  /** Drops everything up to and including the next `byte`; false (dropping nothing) until one arrives. */
  skipPast(byte: number): boolean {
    const at = this.find(byte);
    if (at === undefined) return false;
    this.dropThrough(...at);
    return true;
  }

  private find(byte: number): [number, number] | undefined {
    if (this.scannedFor !== byte) {
      this.scanned = 0;
      this.scannedFor = byte;
    }
    for (; this.scanned < this.chunks.length; this.scanned++) {
      const offset = (this.chunks[this.scanned] as Buffer).indexOf(byte);
      if (offset >= 0) return [this.scanned, offset];
    }
    return undefined;
  }

  private dropThrough(chunk: number, offset: number): void {
    const rest = (this.chunks[chunk] as Buffer).subarray(offset + 1);
    this.chunks = rest.length > 0 ? [rest, ...this.chunks.slice(chunk + 1)] : this.chunks.slice(chunk + 1);
    this.scanned = 0;
  }
}

/** Why an exec stopped early: its timeout, its signal, or the client's close(). */
class ExecStop {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly sources: [AbortSignal, 'aborted' | 'closed'][];
  private readonly listeners: (() => void)[] = [];
  cause: 'timeout' | 'aborted' | 'closed' | undefined;

  constructor(spec: ExecSpec, closing: AbortSignal) {
    this.sources = spec.signal === undefined ? [[closing, 'closed']] : [[closing, 'closed'], [spec.signal, 'aborted']];
    for (const [signal, cause] of this.sources) {
      const listener = (): void => this.trip(cause);
      this.listeners.push(listener);
      signal.addEventListener('abort', listener, { once: true });
    }
    this.timer = spec.timeoutMs === undefined ? undefined : setTimeout(() => this.trip('timeout'), spec.timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.sources.forEach(([signal], index) => signal.removeEventListener('abort', this.listeners[index] as () => void));
  }

  private trip(cause: 'timeout' | 'aborted' | 'closed'): void {
    if (this.cause !== undefined) return;
    this.cause = cause;
    this.controller.abort();
  }
}

type Reply = { return: unknown } | { error: { class: string; desc: string } };

function parseReply(line: Buffer): Reply | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if ('return' in value) return value as Reply;
  if ('error' in value) {
    const error = (value as { error: unknown }).error as { class?: unknown; desc?: unknown } | null;
    if (typeof error?.class === 'string' && typeof error.desc === 'string') return { error: { class: error.class, desc: error.desc } };
  }
  return undefined;
}

function execArguments(spec: ExecSpec): Record<string, unknown> {
  const argv = spec.cwd === undefined ? spec.command : ['sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', spec.cwd, ...spec.command];
  const [path, ...arg] = argv;
  if (path === undefined) throw new UsageError('exec was given an empty command');
  const env = Object.entries({ PATH: DEFAULT_PATH, HOME: '/root', ...spec.env }).map(([key, value]) => `${key}=${value}`);
  return {
    path,
    arg,
    env,
    'capture-output': true,
    ...(spec.stdin === undefined ? {} : { 'input-data': Buffer.from(spec.stdin).toString('base64') }),
  };
}

function execResult(status: ExecStatus, what: string): ExecResult {
  if (status['out-truncated'] === true || status['err-truncated'] === true) {
    throw new HarnessError('PLATFORM_API', `${what}: its output exceeded the 16 MiB the guest agent captures`, {
      hint: 'redirect the output to a file in the guest and pull that file',
    });
  }
  // As a shell reports a process a signal killed.
  const exitCode = status.exitcode ?? (status.signal === undefined ? undefined : 128 + status.signal);
  if (exitCode === undefined) {
    throw new HarnessError('PLATFORM_API', `${what}: the agent said it exited without an exit code or signal`, {
      hint: 'the guest agent may be incompatible; try the qemu-guest-agent of the image’s distribution',
    });
  }
  return {
    exitCode,
    stdout: Buffer.from(status['out-data'] ?? '', 'base64'),
    stderr: Buffer.from(status['err-data'] ?? '', 'base64'),
  };
}

/**
 * A command the agent could not start (glib's spawn error) is a result, as in a shell:
 * 127 when it was not found, 126 when it could not be run, the reason on stderr.
 */
function spawnFailure(error: unknown): ExecResult | undefined {
  if (!(error instanceof GuestAgentCommandError)) return undefined;
  const match = /^Guest agent command failed, error was 'Failed to execute child process (.*)'$/s.exec(error.desc);
  if (match === null) return undefined;
  const reason = match[1] as string;
  return {
    exitCode: reason.endsWith('(No such file or directory)') ? 127 : 126,
    stdout: Buffer.alloc(0),
    stderr: Buffer.from(`${reason}\n`),
  };
}

/** qemu-ga 7.2 says `failed to open file '<path>' (mode: '<mode>'): No such file or directory`. */
function isMissing(error: unknown, mode: string): boolean {
  return error instanceof GuestAgentCommandError && error.errorClass === 'GenericError' && error.desc.endsWith(`(mode: '${mode}'): No such file or directory`);
}

/** `work`, or a rejection as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The command as a person would recognise it in an error, without a whole script pasted in. */
function brief(command: readonly string[]): string {
  const line = command.join(' ').replace(/\s+/g, ' ');
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

function preview(line: Buffer): string {
  const text = JSON.stringify(line.subarray(0, 60).toString('latin1'));
  return line.length > 60 ? `${text}...` : text;
}
