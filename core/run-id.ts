import { randomBytes } from 'node:crypto';

/** Sortable by time, unique enough for several runs a second on one farm. */
export function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
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
