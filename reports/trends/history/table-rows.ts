import type { BuildKey, SeriesKey, SeriesPoint, TimingSeries } from './store.js';

/**
 * What the SQLite and PostgreSQL stores share: their tables are the same, and so is turning
 * their rows back into the store's types.
 */

// A whole stage has no module; the key column cannot be NULL and stay unique.
export const WHOLE_STAGE = '';

export interface RunRow {
  readonly run_id: string;
  readonly started_at: string;
  readonly platform: string;
  readonly build_kind: BuildKey['kind'];
  readonly build_sha256: string | null;
  readonly build_commit: string | null;
  readonly build_describe: string | null;
  readonly harness_version: string;
}

export type PointRow = RunRow & { readonly image_fingerprint: string; readonly verdict: string | null; readonly ms: number };

export function buildOf(row: Pick<RunRow, 'build_kind' | 'build_sha256' | 'build_commit' | 'build_describe'>): BuildKey {
  return { kind: row.build_kind, sha256: row.build_sha256 ?? undefined, commit: row.build_commit ?? undefined, describe: row.build_describe ?? undefined };
}

export function pointOf(row: PointRow): SeriesPoint {
  return { runId: row.run_id, startedAt: row.started_at, build: buildOf(row), imageFingerprint: row.image_fingerprint, verdict: row.verdict ?? undefined, ms: row.ms };
}

export function seriesKeyOf(platform: string, image: string, caseName: string, boot: number, stage: TimingSeries['stage'], module: string): SeriesKey {
  const where = { platform, image, case: caseName, boot };
  switch (stage) {
    case 'systemd':
    case 'systemd-blame':
      return { ...where, stage, module };
    case 'cloud-init':
      return { ...where, stage, module: undefined };
    default:
      return { ...where, stage, module: module === WHOLE_STAGE ? undefined : module };
  }
}
