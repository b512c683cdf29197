import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import { HarnessError } from '../../core/errors.js';
import type { ExecResult } from '../types.js';
import { untilAborted } from './stop.js';

/** Killing a stopped command opens a second session, which must not hold the caller much past its deadline. */
const KILL_BUDGET_MS = 2000;
/** The pid line comes before anything the command writes; a login shell's own noise is short. */
const ANNOUNCEMENT_WINDOW_BYTES = 64 * 1024;

/** Kills a process group in the guest, within `signal`. */
export type GroupKiller = (pgid: number, signal: AbortSignal) => Promise<void>;

/**
 * Runs `line` on a session channel, stdin written then ended, output kept as bytes. When
 * `stop` aborts, the command's process group is killed with `killGroup`, then the promise
 * rejects with `stop`'s reason (the caller says why).
 *
 * sshd makes each session's process a process group leader (setsid), and `line` execs the
 * command in that process; so its pid, which the line first writes to stderr behind a
 * marker made for this call (and cut out of the stderr returned), names the group of the
 * command and of all it started. The channel's own signal request cannot be used: sshd
 * refuses it for root logins ("session signalling requires privilege separation", OpenSSH
 * 9.2), and closing the channel kills nothing.
 */
export function runCommand(client: Client, line: string, stdin: Uint8Array | string | undefined, stop: AbortSignal, what: string, killGroup: GroupKiller): Promise<ExecResult> {
  const announcement = new PidAnnouncement(`cloudproof-pid-${randomBytes(6).toString('hex')}=`);
  const announced = `printf '${announcement.marker}%s\\n' "$$" >&2 && ${line}`;
  return new Promise<ExecResult>((resolve, reject) => {
    let channel: ClientChannel | undefined;
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      stop.removeEventListener('abort', onStop);
      finish();
    };
    const end = (opened: ClientChannel): void => {
      const budget = AbortSignal.timeout(KILL_BUDGET_MS);
      untilAborted(announcement.pid, budget)
        .then((pid) => killGroup(pid, budget))
        .catch(() => undefined)
        .finally(() => {
          opened.close();
          settle(() => reject(stop.reason));
        });
    };
    const onStop = (): void => {
      // Not open yet: the exec callback ends it when it opens.
      if (channel === undefined) settle(() => reject(stop.reason));
      else end(channel);
    };
    stop.addEventListener('abort', onStop, { once: true });
    try {
      client.exec(announced, (error, opened) => {
        if (error !== undefined) return settle(() => reject(channelError(error, what)));
        opened.stderr.on('data', (chunk: Buffer) => announcement.push(chunk));
        if (settled) return end(opened);
        channel = opened;
        const stdout: Buffer[] = [];
        let exit: { code: number | null; signal: string | undefined } | undefined;
        opened.on('data', (chunk: Buffer) => stdout.push(chunk));
        opened.on('exit', (code: number | null, signal?: string) => {
          exit = { code, signal };
        });
        opened.on('close', () => {
          if (stop.aborted) return;
          if (exit === undefined) return settle(() => reject(dropped(what)));
          const status = exit;
          settle(() => {
            try {
              resolve({ exitCode: exitCode(status.code, status.signal, what), stdout: Buffer.concat(stdout), stderr: announcement.rest() });
            } catch (problem) {
              reject(problem);
            }
          });
        });
        // Ends the sending side only (ssh2 opens exec channels half-open): the output keeps coming.
        opened.end(typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : stdin);
      });
    } catch (error) {
      // ssh2 throws when its socket is already gone; the close that follows makes the next call reconnect.
      settle(() => reject(channelError(error as Error, what)));
    }
  });
}

/** The stderr of a command line that starts by writing `<marker><pid>\n` to it. */
class PidAnnouncement {
  readonly marker: string;
  readonly pid: Promise<number>;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private line: { readonly start: number; readonly end: number } | undefined;
  private announce: (pid: number) => void = () => undefined;

  constructor(marker: string) {
    this.marker = marker;
    this.pid = new Promise((resolve) => {
      this.announce = resolve;
    });
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.line === undefined && this.size - chunk.length < ANNOUNCEMENT_WINDOW_BYTES) this.look();
  }

  /** What the command and its shell wrote, without the announcement. */
  rest(): Buffer {
    const all = Buffer.concat(this.chunks);
    return this.line === undefined ? all : Buffer.concat([all.subarray(0, this.line.start), all.subarray(this.line.end)]);
  }

  private look(): void {
    const all = Buffer.concat(this.chunks);
    const start = all.indexOf(this.marker);
    const newline = start < 0 ? -1 : all.indexOf(0x0a, start);
    if (newline < 0) return;
    this.line = { start, end: newline + 1 };
    this.announce(Number(all.subarray(start + this.marker.length, newline).toString('latin1')));
  }
}

/** As a shell reports a process that a signal killed: 128 + the signal's number. */
function exitCode(code: number | null, signal: string | undefined, what: string): number {
  if (code !== null) return code;
  const number = signal === undefined ? undefined : (constants.signals as Record<string, number | undefined>)[signal];
  if (number === undefined) {
    throw new HarnessError('PLATFORM_API', `${what}: sshd said it ended by signal ${signal ?? '(none)'}, which has no number here`, {
      hint: 'the guest may run an unusual sshd; run the command through `sh -c` to get its exit status',
    });
  }
  return 128 + number;
}

function channelError(error: Error, what: string): HarnessError {
  return new HarnessError('PLATFORM_API', `${what}: sshd did not open a session for it: ${error.message}`, {
    hint: 'the guest may be rebooting or its sshd restarting; retry once it is up',
    cause: error,
  });
}

function dropped(what: string): HarnessError {
  return new HarnessError('PLATFORM_API', `${what}: the SSH connection dropped before the command's exit status came`, {
    hint: 'the guest may have rebooted or its sshd restarted; retry once it is up',
  });
}
