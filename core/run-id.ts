import { randomBytes } from 'node:crypto';

/** Sortable by time, unique enough for several runs a second on one farm. */
export function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

const RUN_ID_STAMP = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-/;

/** When a run made by newRunId started (to the second); undefined for an id from elsewhere (a test's, a worker's own). */
export function runStartedAt(runId: string): Date | undefined {
  const match = RUN_ID_STAMP.exec(runId);
  if (match === null) return undefined;
  const [, year, month, day, hours, minutes, seconds] = match;
  const date = new Date(`${year}-${month}-${day}T${hours}:${minutes}:${seconds}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A hostname-safe instance name that says which run and case it belongs to. */
export function instanceName(runId: string, index: number, caseName: string): string {
  const slug = caseName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return `cp-${runId}-${index}-${slug}`.slice(0, 63).replace(/-+$/, '');
}

/** Labels on every instance the harness creates; `harness gc` removes by them. */
export const LABEL_MANAGED = 'cloudproof.managed';
export const LABEL_RUN = 'cloudproof.run';
export const LABEL_CASE = 'cloudproof.case';
export const LABEL_IMAGE = 'cloudproof.image';
/** What an instance is for when it is not a cell: `prepare` (an image with the build), `conformance`. */
export const LABEL_ROLE = 'cloudproof.role';
/**
 * The process that made the instance, `<hostname>:<pid>:<start time>` (core/run-owner.ts):
 * `harness gc` leaves alone every instance whose owner still runs.
 */
export const LABEL_OWNER = 'cloudproof.owner';
/** An ISO time after which gc removes the instance whatever its owner (a run hung, or on another host). */
export const LABEL_EXPIRES = 'cloudproof.expires';
/** The absolute run folder, so gc can mark the run.json of a run it found dead `abandoned`. */
export const LABEL_RESULTS = 'cloudproof.results';
