import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import ssh2, { type Client } from 'ssh2';
import { HarnessError } from '../../core/errors.js';
import { untilAborted } from './stop.js';

export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** OpenSSH format, as AccessKey.privateKey holds it. */
  readonly privateKey: string | Buffer;
  /** For the TCP connect, the handshake and authentication together; 10 s unless said. */
  readonly connectTimeoutMs?: number;
  /** Names the instance in messages (`instance web-1`); `host:port` unless said. */
  readonly what?: string;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * OpenSSH's MaxSessions is 10 a connection: calls get 8 channels, and the kills of stopped
 * commands 2 more of their own, so that a kill never waits behind the calls, nor a channel
 * fails to open for that limit. (A stopped command's session counts until it is killed.)
 */
const MAX_CHANNELS = 8;
const MAX_KILL_CHANNELS = 2;
/**
 * A guest that reboots forgets the connection without a word; the first packet it gets
 * afterwards draws a reset. Keepalives send that packet, so a dead connection is noticed
 * (and the next call reconnects) within seconds rather than at the next call, which fails.
 */
const KEEPALIVE_MS = 5000;

/**
 * One ssh2 Client, connected on first use and again after it dropped, shared by every
 * call: ssh2 multiplexes channels on it, at most MAX_CHANNELS at once, the rest queued.
 */
export class SshConnection {
  readonly what: string;
  readonly address: string;
  /** The host key's `SHA256:…` fingerprint as OpenSSH prints it, once a handshake has seen it. */
  hostKeyFingerprint: string | undefined;
  private readonly target: SshTarget;
  private readonly connectTimeoutMs: number;
  private readonly closing = new AbortController();
  private readonly slots = { call: new Slots(MAX_CHANNELS), kill: new Slots(MAX_KILL_CHANNELS) };
  private current: { readonly client: Client; readonly ready: Promise<Client> } | undefined;

  constructor(target: SshTarget) {
    this.target = target;
    this.address = `${target.host}:${target.port}`;
    this.what = target.what ?? this.address;
    this.connectTimeoutMs = target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    // Every waiting call listens for close(): many at once is normal, not a leak.
    setMaxListeners(Infinity, this.closing.signal);
  }

  /** Aborts when close() is called. */
  get closed(): AbortSignal {
    return this.closing.signal;
  }

  /** `work` with a connected client and a channel's place on it, unless `stop` or close() comes first. */
  async withChannel<T>(stop: AbortSignal, work: (client: Client) => Promise<T>, lane: 'call' | 'kill' = 'call'): Promise<T> {
    if (this.closing.signal.aborted) throw new HarnessError('PLATFORM_API', `the SSH connection to ${this.what} is closed`, { hint: 'nothing to fix: the instance was being removed' });
    const release = await this.slots[lane].acquire(stop);
    try {
      return await work(await untilAborted(this.ready(), stop));
    } finally {
      release();
    }
  }

  /** Ends the connection; calls under way are stopped by the closed signal. Commands it ran are left to the guest. */
  close(): void {
    this.closing.abort();
    this.current?.client.end();
    this.current = undefined;
  }

  private ready(): Promise<Client> {
    this.current ??= this.connect();
    return this.current.ready;
  }

  private connect(): { client: Client; ready: Promise<Client> } {
    const client = new ssh2.Client();
    const forget = (): void => {
      if (this.current?.client === client) this.current = undefined;
    };
    const ready = new Promise<Client>((resolve, reject) => {
      let settled = false;
      const fail = (error: HarnessError): void => {
        forget();
        client.destroy();
        if (!settled) reject(error);
        settled = true;
      };
      client.once('ready', () => {
        settled = true;
        resolve(client);
      });
      // After the handshake, a broken connection shows as its channels closing, which their calls report.
      client.on('error', (error: Error & { level?: string }) => fail(this.connectError(error)));
      client.on('close', () => fail(this.connectError(new Error('the connection closed during the SSH handshake'))));
      client.connect({
        host: this.target.host,
        port: this.target.port,
        username: this.target.username,
        privateKey: this.target.privateKey,
        readyTimeout: this.connectTimeoutMs,
        keepaliveInterval: KEEPALIVE_MS,
        keepaliveCountMax: 3,
        // Host keys are accepted unchecked: the guest is the harness's own, reached on
        // loopback through qemu's port forward (or at the address the cloud just gave it),
        // and it makes its host keys at first boot, so there is nothing to check them
        // against. The fingerprint is kept for the record.
        hostVerifier: (key: Buffer): boolean => {
          this.hostKeyFingerprint = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
          return true;
        },
      });
    });
    // A caller that gave up (timeout, abort) no longer listens; the next call reconnects.
    ready.catch(() => undefined);
    return { client, ready };
  }

  private connectError(error: Error & { level?: string }): HarnessError {
    if (error.level === 'client-authentication') {
      return new HarnessError('PLATFORM_API', `${this.what} refused the SSH key for ${this.target.username} at ${this.address}`, {
        hint: `the guest has not authorized the run's access key for ${this.target.username}: check that the platform gave it the public key (cloud-init writes it at boot)`,
        cause: error,
      });
    }
    const reason = error.level === 'client-timeout' ? `no SSH handshake within ${this.connectTimeoutMs / 1000} s` : error.message;
    return new HarnessError('PLATFORM_API', `cannot reach ${this.what} over SSH at ${this.address}: ${reason}`, {
      hint: 'check that the instance runs and that its sshd is up (its console log shows how far boot got)',
      cause: error,
    });
  }
}

/** A counting semaphore whose waiters can give up. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(count: number) {
    this.free = count;
  }

  async acquire(signal: AbortSignal): Promise<() => void> {
    if (this.free > 0) {
      this.free--;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        reject(signal.reason);
      };
      this.waiting.push(grant);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    return this.releaser();
  }

  /** Hands the place straight to the next waiter, if any. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next === undefined) this.free++;
      else next();
    };
  }
}
