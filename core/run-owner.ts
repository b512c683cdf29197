import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { LABEL_EXPIRES, LABEL_MANAGED, LABEL_OWNER, LABEL_RESULTS, LABEL_RUN, runStartedAt } from './run-id.js';

/**
 * Which process made an instance, so that `harness gc` (or the next run) on the same host
 * can tell a run still going on from one that was killed (kill -9 runs no cleanup).
 */
export interface Owner {
  readonly host: string;
  readonly pid: number;
  /**
   * /proc/<pid>/stat field 22, the process's start in clock ticks since boot: a later
   * process given the same pid has another. Undefined off Linux, where the pid must do.
   */
  readonly startTime: string | undefined;
}

/** Generous: a whole matrix with a source build takes hours, and a run past it is taken for hung. */
export const DEFAULT_EXPIRY_MS = 24 * 60 * 60 * 1000;

const PROC_AVAILABLE = existsSync('/proc/self/stat');
const OWNER_LABEL = /^(.+?):(\d+)(?::(\d+))?$/;

export function formatOwner(owner: Owner): string {
  return owner.startTime === undefined ? `${owner.host}:${owner.pid}` : `${owner.host}:${owner.pid}:${owner.startTime}`;
}

/** Undefined for a label this version cannot read, which gc treats like no label at all. */
export function parseOwner(label: string): Owner | undefined {
  const match = OWNER_LABEL.exec(label);
  if (match === null) return undefined;
  const [, host = '', pid = '', startTime] = match;
  return { host, pid: Number(pid), startTime };
}

export function currentOwner(): Owner {
  return { host: hostname(), pid: process.pid, startTime: procStat(process.pid)?.startTime };
}

/**
 * `running`: the very process that made the instance is alive on this host; `gone`: it is
 * not (no such pid, a zombie, or a pid reused by a later process); `elsewhere`: another
 * host's, which this one cannot see.
 */
export type OwnerState = 'running' | 'gone' | 'elsewhere';

export function ownerState(owner: Owner, thisHost: string = hostname()): OwnerState {
  if (owner.host !== thisHost) return 'elsewhere';
  const stat = procStat(owner.pid);
  if (stat !== undefined) return stat.dead || (owner.startTime !== undefined && stat.startTime !== owner.startTime) ? 'gone' : 'running';
  if (PROC_AVAILABLE) return 'gone';
  return signalZeroFinds(owner.pid) ? 'running' : 'gone';
}

export interface RunLabelsInput {
  readonly runId: string;
  /** The absolute run folder; absent where it is not known yet (no run.json to mark then). */
  readonly runDir?: string;
  readonly expiryMs?: number;
}

/**
 * The labels every instance of a run carries besides its own (case, image, role): the run,
 * this process as its owner, and an expiry counted from the run's start, so that all
 * instances of a run expire together whichever stage labels them.
 */
export function runLabels({ runId, runDir, expiryMs = DEFAULT_EXPIRY_MS }: RunLabelsInput): Readonly<Record<string, string>> {
  const startedAt = runStartedAt(runId) ?? new Date();
  return {
    [LABEL_MANAGED]: 'true',
    [LABEL_RUN]: runId,
    [LABEL_OWNER]: formatOwner(currentOwner()),
    [LABEL_EXPIRES]: new Date(startedAt.getTime() + expiryMs).toISOString(),
    ...(runDir === undefined ? {} : { [LABEL_RESULTS]: runDir }),
  };
}

interface ProcStat {
  readonly startTime: string;
  /** A zombie (killed, not yet reaped by its parent) or a dying process. */
  readonly dead: boolean;
}

function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 is the command in parentheses and may itself hold spaces and parentheses: count from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0] ?? '';
  const startTime = fields[22 - 3] ?? '';
  return { startTime, dead: state === 'Z' || state === 'X' };
}

function signalZeroFinds(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
