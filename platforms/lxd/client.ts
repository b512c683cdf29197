import { existsSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
import WebSocket from 'ws';
import { AbortedError, HarnessError } from '../../core/errors.js';

/**
 * LXD's REST API over its unix socket: requests, background operations and the
 * translation of LXD's answers into HarnessErrors. Everything LXD-specific about
 * transport stays in this file so that an HTTPS remote can replace it later.
 */

export interface LxdClientOptions {
  readonly socketPath: string;
}

export interface LxdOperation {
  readonly id: string;
  readonly status: string;
  readonly status_code: number;
  readonly err: string;
  readonly metadata: Record<string, unknown> | null;
}

interface LxdEnvelope<T> {
  readonly type: 'sync' | 'async' | 'error';
  readonly status_code: number;
  readonly error_code: number;
  readonly error: string;
  readonly metadata: T;
  readonly operation?: string;
}

export interface RequestOptions {
  readonly body?: unknown;
  /** Sent as-is instead of JSON (image tarballs, file contents). */
  readonly rawBody?: Dispatcher.DispatchOptions['body'];
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

/** How long an interrupted caller still waits for an uncancellable operation so it can undo it. */
const UNDO_WAIT_S = 120;

export class LxdApiError extends HarnessError {
  readonly status: number;
  constructor(method: string, path: string, status: number, lxdMessage: string) {
    super('PLATFORM_API', `LXD refused ${method} ${path}: ${lxdMessage} (HTTP ${status})`);
    this.status = status;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof LxdApiError && error.status === 404;
}

/** Where the daemon listens: LXD_DIR first, then the snap's socket, then Debian's. */
export function lxdSocketPath(env: Readonly<Record<string, string | undefined>>): string {
  if (env.LXD_DIR) return `${env.LXD_DIR}/unix.socket`;
  const candidates = ['/var/snap/lxd/common/lxd/unix.socket', '/var/lib/lxd/unix.socket'];
  return candidates.find((path) => existsSync(path)) ?? '/var/lib/lxd/unix.socket';
}

export class LxdClient {
  readonly socketPath: string;
  private readonly agent: Agent;

  constructor(options: LxdClientOptions) {
    this.socketPath = options.socketPath;
    // One connection per request (pipelining 0 turns keep-alive off). Seen with LXD 5.0.2 and
    // undici 7: after an abort of a request on a reused keep-alive connection (a cancelled
    // operation wait), the daemon accepted no new connection, from any process, for as long as
    // the keep-alive timeout (10 s), so the next exec's websockets timed out. Without keep-alive
    // it never happened, and exec round-trips were no slower.
    this.agent = new Agent({ connect: { socketPath: options.socketPath }, pipelining: 0 });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** A sync request; returns `metadata`. */
  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return (await this.send<T>('GET', path, signal === undefined ? {} : { signal })).metadata;
  }

  /** Returns undefined on 404 instead of throwing. */
  async getOrUndefined<T>(path: string, signal?: AbortSignal): Promise<T | undefined> {
    try {
      return await this.get<T>(path, signal);
    } catch (error) {
      if (error instanceof LxdApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async sync<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.send<T>(method, path, options)).metadata;
  }

  /** Starts a background operation and waits for it to finish; returns its metadata. */
  async operation(method: string, path: string, options: RequestOptions = {}, timeoutS = 600): Promise<LxdOperation> {
    const started = await this.send<LxdOperation>(method, path, options);
    const operationPath = started.operation ?? `/1.0/operations/${started.metadata.id}`;
    return this.wait(operationPath, timeoutS, options.signal);
  }

  /** Starts a background operation without waiting; returns its path and metadata. */
  async startOperation(method: string, path: string, options: RequestOptions = {}): Promise<{ path: string; operation: LxdOperation }> {
    const started = await this.send<LxdOperation>(method, path, options);
    return { path: started.operation ?? `/1.0/operations/${started.metadata.id}`, operation: started.metadata };
  }

  /** Waits for an operation; `timeoutS` -1 waits as long as it runs. Throws when it failed. */
  async wait(operationPath: string, timeoutS: number, signal?: AbortSignal): Promise<LxdOperation> {
    const operation = await this.waitSettled(operationPath, timeoutS, signal);
    if (operation.status_code >= 400) {
      throw new LxdApiError('operation', operationPath, operation.status_code, operation.err || operation.status);
    }
    if (operation.status_code !== 200) {
      throw new HarnessError('PLATFORM_API', `LXD operation ${operationPath} did not finish within ${timeoutS} s (status: ${operation.status})`);
    }
    return operation;
  }

  /**
   * Waits for an operation LXD cannot cancel (create, start, publish, import). When `signal`
   * aborts first, it waits on without it, lets `undo` remove what the operation made, and only
   * then throws the AbortedError: an interrupted caller leaves nothing behind.
   */
  async waitOrUndo(
    operationPath: string,
    what: string,
    signal: AbortSignal | undefined,
    undo: (operation: LxdOperation) => Promise<void>,
  ): Promise<LxdOperation> {
    try {
      return await this.wait(operationPath, -1, signal);
    } catch (error) {
      if (!(error instanceof AbortedError)) throw error;
      const settled = await this.waitSettled(operationPath, UNDO_WAIT_S).catch(() => undefined);
      if (settled?.status_code === 200) await undo(settled);
      throw new AbortedError(what);
    }
  }

  /** Like `wait`, but hands back a failed operation instead of throwing: its metadata can still matter. */
  async waitSettled(operationPath: string, timeoutS: number, signal?: AbortSignal): Promise<LxdOperation> {
    return this.get<LxdOperation>(`${operationPath}/wait?timeout=${timeoutS}`, signal);
  }

  /** Opens one of an operation's websockets (exec's fds); resolves once it is connected. */
  websocket(operationPath: string, secret: string): Promise<WebSocket> {
    const url = `ws+unix://${this.socketPath}:${operationPath}/websocket?secret=${encodeURIComponent(secret)}`;
    // No compression: exec streams are often binary or already compressed, and LXD does not offer it.
    const socket = new WebSocket(url, { perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => {
        socket.terminate();
        reject(translateConnectError(error, this.socketPath, `LXD websocket ${operationPath}`));
      };
      socket.once('error', failed);
      socket.once('open', () => {
        socket.off('error', failed);
        resolve(socket);
      });
    });
  }

  /** Raw bytes of a GET (files, logs); undefined on 404. */
  async getBytes(path: string, signal?: AbortSignal): Promise<{ body: Buffer; headers: Record<string, string> } | undefined> {
    const response = await this.dispatch('GET', path, signal === undefined ? {} : { signal });
    const body = await this.readBody(response, () => response.body.arrayBuffer().then((bytes) => Buffer.from(bytes)), 'GET', path, signal);
    if (response.statusCode === 404) return undefined;
    if (response.statusCode >= 400) throw errorFrom('GET', path, response.statusCode, body);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(response.headers)) {
      if (typeof value === 'string') headers[key.toLowerCase()] = value;
    }
    return { body, headers };
  }

  private async send<T>(method: string, path: string, options: RequestOptions): Promise<LxdEnvelope<T>> {
    const response = await this.dispatch(method, path, options);
    const text = await this.readBody(response, () => response.body.text(), method, path, options.signal);
    if (response.statusCode >= 400) throw errorFrom(method, path, response.statusCode, Buffer.from(text));
    return JSON.parse(text) as LxdEnvelope<T>;
  }

  private async dispatch(method: string, path: string, options: RequestOptions): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { ...options.headers };
    let body: Dispatcher.DispatchOptions['body'] = options.rawBody;
    // Said explicitly: LXD parses a form-encoded body as a form and then writes an empty file.
    if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/octet-stream';
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    try {
      return await request(`http://lxd${path}`, {
        method: method as Dispatcher.HttpMethod,
        dispatcher: this.agent,
        headers,
        body,
        signal: options.signal,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
    } catch (error) {
      if (options.signal?.aborted) throw new AbortedError(`LXD ${method} ${withoutQuery(path)}`);
      throw translateConnectError(error, this.socketPath);
    }
  }

  /** An abort can also land while the body streams in; it must surface as AbortedError there too. */
  private async readBody<T>(
    response: Dispatcher.ResponseData,
    read: () => Promise<T>,
    method: string,
    path: string,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    try {
      return await read();
    } catch (error) {
      response.body.destroy();
      if (signal?.aborted) throw new AbortedError(`LXD ${method} ${withoutQuery(path)}`);
      throw error;
    }
  }
}

function withoutQuery(path: string): string {
  return path.replace(/\?.*$/, '');
}

function errorFrom(method: string, path: string, status: number, body: Buffer): LxdApiError {
  let message = body.toString('utf8').trim();
  try {
    const envelope = JSON.parse(message) as Partial<LxdEnvelope<unknown>>;
    if (envelope.error) message = envelope.error;
  } catch {
    // not JSON: keep LXD's text as it came
  }
  return new LxdApiError(method, withoutQuery(path), status, message || `HTTP ${status}`);
}

function translateConnectError(error: unknown, socketPath: string, what?: string): unknown {
  const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    return new HarnessError('PLATFORM_UNAVAILABLE', `LXD is not running: nothing answers on ${socketPath}`, {
      hint: 'run `npx harness setup` (or start the daemon: `lxd --group root &`), or set LXD_DIR to where your LXD lives',
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new HarnessError('PLATFORM_PERMISSION', `not allowed to use LXD's socket ${socketPath}`, {
      hint: 'run as root or as a member of the lxd group',
      cause: error,
    });
  }
  if (what !== undefined) {
    return new HarnessError('PLATFORM_API', `${what} failed: ${(error as Error).message}`, { cause: error });
  }
  return error;
}
