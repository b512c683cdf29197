import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import { AbortedError, HarnessError } from '../../core/errors.js';
import type { ExecResult, ExecSpec } from '../types.js';
import { isNotFound, LxdApiError, type LxdClient } from './client.js';

/**
 * Exec over LXD's websockets: one socket per fd (`control`, `0`, `1`, `2`), stdin as raw
 * bytes (LXD's record-output mode cannot take stdin), the exit code from the operation.
 *
 * The command's stdout and stderr do not come over the sockets: LXD before 5.14 (Debian's
 * 5.0.2 here) drops a command's output on a loaded host and still reports its exit code
 * (canonical/lxd#11422, fixed by canonical/lxd#11606); in CI `cat boot_id` once gave exit 0
 * and nothing. So `sh` redirects them to two files in the instance, read whole through the
 * file API once the command has exited, then removed. `exec "$@"` keeps the command's own
 * pid, so a timeout's SIGKILL still reaches it, and a background process left holding the
 * output no longer keeps the exec waiting. The sockets carry only what `sh` itself says.
 */
export async function lxdExec(client: LxdClient, instanceName: string, spec: ExecSpec): Promise<ExecResult> {
  const what = `exec \`${brief(spec.command)}\` in ${instanceName}`;
  if (spec.signal?.aborted) throw new AbortedError(what);
  const session = new ExecSession(client);
  const limits = watchLimits(spec, what);
  const running = session.run(instanceName, spec);
  // Once a limit wins the race the session is torn down and `running` rejects unobserved.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, limits.reached]);
  } catch (error) {
    if (limits.hit) await session.kill();
    await session.discardOutput();
    throw error;
  } finally {
    limits.dispose();
    session.close();
  }
}

const FDS = ['control', '0', '1', '2'] as const;
type Fd = (typeof FDS)[number];

/** How long a killed command gets to be reaped before its sockets are cut anyway. */
const KILL_GRACE_S = 2;

class ExecSession {
  private readonly client: LxdClient;
  private readonly requests = new AbortController();
  private readonly sockets = new Map<Fd, WebSocket>();
  private operationPath: string | undefined;
  private capture: OutputCapture | undefined;
  private closed = false;

  constructor(client: LxdClient) {
    this.client = client;
  }

  async run(instanceName: string, spec: ExecSpec): Promise<ExecResult> {
    const capture = outputCapture(instanceName);
    this.capture = capture;
    const started = await this.client.startOperation('POST', `/1.0/instances/${encodeURIComponent(instanceName)}/exec`, {
      body: {
        command: capture.command(spec.command),
        environment: spec.env ?? {},
        ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
        'wait-for-websocket': true,
        interactive: false,
        'record-output': false,
      },
      signal: this.requests.signal,
    });
    this.operationPath = started.path;
    const secrets = fdSecrets(started.operation.metadata);
    // LXD starts the command only when every socket is connected: stopping here means it never runs.
    if (this.closed) throw new AbortedError('exec');
    await this.connect(started.path, secrets);
    if (this.closed) {
      this.close(); // sockets that connected after the teardown
      throw new AbortedError('exec');
    }

    const stdout = collect(this.socket('1'));
    const stderr = collect(this.socket('2'));
    sendStdin(this.socket('0'), spec.stdin);
    const operation = await this.client.waitSettled(started.path, -1, this.requests.signal);
    const exitCode = operation.metadata?.return;
    if (typeof exitCode !== 'number') {
      throw new LxdApiError('exec', started.path, operation.status_code, operation.err || operation.status);
    }
    const captured = await capture.collect(this.client);
    let errBytes = Buffer.concat([await stderr, captured.stderr]);
    // A command LXD cannot start (no `sh`: 127) fails the operation and says why only in `err`;
    // keep that reason for whoever reads the output.
    if (operation.status_code >= 400 && operation.err && errBytes.length === 0) errBytes = Buffer.from(`${operation.err}\n`);
    return { exitCode, stdout: Buffer.concat([await stdout, captured.stdout]), stderr: errBytes };
  }

  /**
   * SIGKILL through the control socket, then a short wait so the command is gone when we
   * return. LXD signals only the process it started: children it forked may live on.
   */
  async kill(): Promise<void> {
    const control = this.sockets.get('control');
    if (control === undefined || control.readyState !== control.OPEN || this.operationPath === undefined) return;
    control.send(JSON.stringify({ command: 'signal', signal: 9 }));
    try {
      await this.client.waitSettled(this.operationPath, KILL_GRACE_S);
    } catch {
      // best effort: the sockets are cut next either way
    }
  }

  /** What a killed or aborted command wrote stays unread: remove it, best effort (the instance may be gone). */
  async discardOutput(): Promise<void> {
    await this.capture?.remove(this.client).catch(() => undefined);
  }

  close(): void {
    this.closed = true;
    this.requests.abort();
    for (const socket of this.sockets.values()) socket.terminate();
  }

  private async connect(operationPath: string, secrets: Readonly<Record<Fd, string>>): Promise<void> {
    const results = await Promise.allSettled(FDS.map((fd) => this.client.websocket(operationPath, secrets[fd])));
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') this.sockets.set(FDS[index] as Fd, result.value);
    });
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private socket(fd: Fd): WebSocket {
    const socket = this.sockets.get(fd);
    if (!socket) throw new HarnessError('PLATFORM_API', `LXD exec socket ${fd} is not connected`);
    return socket;
  }
}

/** Where a command's output waits in the instance: /var/tmp, which no tmpfs is mounted over while the guest boots. */
interface OutputCapture {
  command(command: readonly string[]): string[];
  collect(client: LxdClient): Promise<{ readonly stdout: Buffer; readonly stderr: Buffer }>;
  remove(client: LxdClient): Promise<void>;
}

function outputCapture(instanceName: string): OutputCapture {
  const base = `/var/tmp/.cloudproof-exec-${randomUUID()}`;
  const files = { stdout: `${base}.out`, stderr: `${base}.err` } as const;
  const filePath = (path: string): string => `/1.0/instances/${encodeURIComponent(instanceName)}/files?path=${encodeURIComponent(path)}`;
  return {
    command: (command) => ['/bin/sh', '-c', 'exec "$@" >"$0.out" 2>"$0.err"', base, ...command],
    /** Each file whole, or nothing when `sh` could not make it (it then said why on its own stderr) or the instance went away. */
    async collect(client) {
      const read = async (path: string): Promise<Buffer> => (await client.getBytes(filePath(path)))?.body ?? Buffer.alloc(0);
      const [stdout, stderr] = await Promise.all([read(files.stdout), read(files.stderr)]);
      await this.remove(client).catch(() => undefined);
      return { stdout, stderr };
    },
    async remove(client) {
      await Promise.all(Object.values(files).map((path) => client.sync('DELETE', filePath(path)).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      })));
    },
  };
}

/** The command as a person would recognise it in an error, without a whole script pasted in. */
function brief(command: readonly string[]): string {
  const line = command.join(' ').replace(/\s+/g, ' ');
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

function fdSecrets(metadata: Record<string, unknown> | null): Record<Fd, string> {
  const fds = (metadata?.fds ?? {}) as Partial<Record<Fd, unknown>>;
  const secrets = {} as Record<Fd, string>;
  for (const fd of FDS) {
    const secret = fds[fd];
    if (typeof secret !== 'string') throw new HarnessError('PLATFORM_API', `LXD exec gave no websocket secret for fd ${fd}`);
    secrets[fd] = secret;
  }
  return secrets;
}

/** Resolves with every byte received once LXD closes the socket, which it does after the last frame. */
function collect(socket: WebSocket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.binaryType = 'nodebuffer'; // so every frame, text or binary, arrives as one Buffer
  socket.on('message', (data) => chunks.push(data as Buffer));
  return new Promise((resolve, reject) => {
    socket.once('close', () => resolve(Buffer.concat(chunks)));
    socket.once('error', (error) => reject(new HarnessError('PLATFORM_API', `LXD exec output stream broke: ${error.message}`, { cause: error })));
  });
}

/** Closing fd 0 is the command's end of input, so with nothing to send it is closed at once. */
function sendStdin(socket: WebSocket, stdin: Uint8Array | string | undefined): void {
  const bytes = typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : stdin;
  if (bytes !== undefined && bytes.length > 0) socket.send(bytes, { binary: true });
  // ws queues the close frame behind the data frames, so nothing sent is cut off.
  socket.close();
}

interface Limits {
  /** Rejects with EXEC_TIMEOUT or AbortedError; never resolves. */
  readonly reached: Promise<never>;
  readonly hit: boolean;
  dispose(): void;
}

function watchLimits(spec: ExecSpec, what: string): Limits {
  let reject: (error: Error) => void = () => undefined;
  const reached = new Promise<never>((_, rejectWith) => {
    reject = rejectWith;
  });
  reached.catch(() => undefined);
  const state = { hit: false };
  const trip = (error: Error): void => {
    state.hit = true;
    reject(error);
  };
  const timer =
    spec.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () =>
            trip(
              new HarnessError('EXEC_TIMEOUT', `${what} did not finish within ${spec.timeoutMs} ms and was killed`, {
                hint: 'raise the timeout if the command is legitimately slow',
              }),
            ),
          spec.timeoutMs,
        );
  const onAbort = (): void => trip(new AbortedError(what));
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    reached,
    get hit() {
      return state.hit;
    },
    dispose() {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
    },
  };
}
