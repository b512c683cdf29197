import type { Client } from 'ssh2';
import { AbortedError, ExecTimeoutError, HarnessError } from '../../core/errors.js';
import type { ExecResult, ExecSpec, PushOptions } from '../types.js';
import { SshConnection, type SshTarget } from './connection.js';
import { runCommand, type GroupKiller } from './exec.js';
import { readFile, writeFile } from './files.js';
import { commandLine } from './quote.js';
import { Stop, untilAborted } from './stop.js';
import { asRoot, pullCommand, pullOutcome, pushCommand, pushOutcome, SUDO_CHECK_LINE, sudoRefusal } from './sudo.js';

/** Limits of one push or pull; the timeout covers connecting and queueing too. */
export interface FileCallOptions {
  /** 60 s unless said. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const DEFAULT_FILE_TIMEOUT_MS = 60_000;
/** `sudo -n true` answers at once, or says it wants a password at once. */
const SUDO_CHECK_TIMEOUT_MS = 15_000;

/**
 * Exec, push and pull on a guest over SSH, with the semantics of the guest agent's
 * (platforms/qemu/guest-agent.ts), so that a driver can offer either: argv as given,
 * binary-safe stdin and output, 128+n for a signal, the command killed on timeout or abort.
 * As root, files go over SFTP; a login as another user runs everything, files too,
 * through `sudo -n` (sudo.ts), checked once before the first call.
 */
export class SshTransport {
  private readonly connection: SshConnection;
  private readonly username: string;
  private readonly throughSudo: boolean;
  private sudoWorks: Promise<void> | undefined;

  constructor(target: SshTarget) {
    this.connection = new SshConnection(target);
    this.username = target.username;
    this.throughSudo = target.username !== 'root';
  }

  /** The guest's host key as `SHA256:…` (what ssh-keygen -lf prints), once a connection has been made. */
  get hostKeyFingerprint(): string | undefined {
    return this.connection.hostKeyFingerprint;
  }

  /** On timeout or abort the command's process group is killed before this rejects. */
  async exec(spec: ExecSpec): Promise<ExecResult> {
    const what = `exec \`${brief(spec.command)}\` over SSH on ${this.connection.what}`;
    const line = this.rootLine(commandLine(spec));
    return this.call(what, spec.timeoutMs, spec.signal, () => new ExecTimeoutError(what, spec.timeoutMs ?? 0), (client, stop) =>
      runCommand(client, line, spec.stdin, stop, what, this.killGroup),
    );
  }

  /** Replaces the file; creates no directory. Owner root:root and mode 0644 unless told. */
  async push(path: string, content: Uint8Array | string, options: PushOptions & FileCallOptions = {}): Promise<void> {
    const what = `push of ${path} over SSH to ${this.connection.what}`;
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const timeoutMs = options.timeoutMs ?? DEFAULT_FILE_TIMEOUT_MS;
    await this.call(what, timeoutMs, options.signal, () => fileTimeout(what, timeoutMs), async (client, stop) => {
      if (!this.throughSudo) return writeFile(client, path, bytes, options, stop, this.connection.what);
      const line = asRoot(commandLine({ command: pushCommand(path, options) }));
      pushOutcome(await runCommand(client, line, bytes, stop, what, this.killGroup), path, this.connection.what);
    });
  }

  /** A file's bytes, following symlinks; undefined when it does not exist. */
  async pull(path: string, options: FileCallOptions = {}): Promise<Buffer | undefined> {
    const what = `pull of ${path} over SSH from ${this.connection.what}`;
    const timeoutMs = options.timeoutMs ?? DEFAULT_FILE_TIMEOUT_MS;
    return this.call(what, timeoutMs, options.signal, () => fileTimeout(what, timeoutMs), async (client, stop) => {
      if (!this.throughSudo) return readFile(client, path, stop, this.connection.what);
      const line = asRoot(commandLine({ command: pullCommand(path) }));
      return pullOutcome(await runCommand(client, line, undefined, stop, what, this.killGroup), path, this.connection.what);
    });
  }

  /** Ends the connection; every pending and later call rejects with PLATFORM_API. */
  close(): void {
    this.connection.close();
  }

  /** A second session's `kill`, on channels of its own; a group already gone makes it fail, which changes nothing. */
  private readonly killGroup: GroupKiller = async (pgid, signal) => {
    const what = `kill of process group ${pgid} over SSH on ${this.connection.what}`;
    const nothingToKill: GroupKiller = async () => undefined;
    await this.connection.withChannel(signal, (client) => runCommand(client, this.rootLine(`kill -s KILL -- -${pgid}`), undefined, signal, what, nothingToKill), 'kill');
  };

  /** A login as another user may not signal root's processes, nor run the command as root, without sudo. */
  private rootLine(line: string): string {
    return this.throughSudo ? asRoot(line) : line;
  }

  /**
   * Once per transport, bounded by its own timeout rather than the first caller's, since
   * every caller waits on it; a failed check is tried again by the next call (cloud-init
   * may not have written the sudo rule yet).
   */
  private async checkSudo(client: Client, stop: AbortSignal): Promise<void> {
    if (!this.throughSudo) return;
    if (this.sudoWorks === undefined) {
      const checking = this.sudoCheck(client);
      this.sudoWorks = checking;
      checking.catch(() => {
        if (this.sudoWorks === checking) this.sudoWorks = undefined;
      });
    }
    await untilAborted(this.sudoWorks, stop);
  }

  private async sudoCheck(client: Client): Promise<void> {
    const what = `the sudo check for ${this.username} over SSH on ${this.connection.what}`;
    const nothingToKill: GroupKiller = async () => undefined;
    const limit = AbortSignal.any([this.connection.closed, AbortSignal.timeout(SUDO_CHECK_TIMEOUT_MS)]);
    let result: ExecResult;
    try {
      result = await runCommand(client, SUDO_CHECK_LINE, undefined, limit, what, nothingToKill);
    } catch (error) {
      if (!limit.aborted) throw error;
      throw new HarnessError('PLATFORM_API', `${what} did not answer within ${SUDO_CHECK_TIMEOUT_MS / 1000} s`, { hint: 'the guest may be overloaded; check that the instance runs' });
    }
    const refusal = sudoRefusal(result, this.username, this.connection.what);
    if (refusal !== undefined) throw refusal;
  }

  /** `work` on a channel, its stop turned into the error that says why. */
  private async call<T>(
    what: string,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    timedOut: () => HarnessError,
    work: (client: Client, stop: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (this.connection.closed.aborted) throw closedError(what);
    if (signal?.aborted) throw new AbortedError(what);
    const stop = new Stop(timeoutMs, signal, this.connection.closed);
    try {
      return await this.connection.withChannel(stop.signal, async (client) => {
        await this.checkSudo(client, stop.signal);
        return work(client, stop.signal);
      });
    } catch (error) {
      if (stop.cause === 'timeout') throw timedOut();
      if (stop.cause === 'aborted') throw new AbortedError(what);
      if (stop.cause === 'closed') throw closedError(what);
      throw error;
    } finally {
      stop.dispose();
    }
  }
}

function fileTimeout(what: string, timeoutMs: number): HarnessError {
  return new HarnessError('PLATFORM_API', `${what} did not finish within ${timeoutMs / 1000} s`, {
    hint: 'the guest may be overloaded or its network down; check that the instance runs',
  });
}

function closedError(what: string): HarnessError {
  return new HarnessError('PLATFORM_API', `the SSH transport was closed during ${what}`, {
    hint: 'nothing to fix: the instance was being removed',
  });
}

/** The command as a person would recognise it in an error, without a whole script pasted in. */
function brief(command: readonly string[]): string {
  const line = command.join(' ').replace(/\s+/g, ' ');
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
