import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { describeError, HarnessError } from '../../../core/errors.js';
import type { BuildKey, HistoryRun, HistoryStore, Series, SeriesFilter, SeriesKey, SeriesPoint, Timing, TimingSeries } from './store.js';

/**
 * Each migration takes the schema from its index to the next version; the file's
 * user_version says which it has. Append only: a file in the field has run the ones before.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     run_id TEXT PRIMARY KEY,
     started_at TEXT NOT NULL,
     platform TEXT NOT NULL,
     build_kind TEXT NOT NULL,
     build_sha256 TEXT,
     build_commit TEXT,
     build_describe TEXT,
     harness_version TEXT NOT NULL
   );
   CREATE INDEX runs_by_platform ON runs (platform, started_at);
   CREATE TABLE timings (
     run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
     case_name TEXT NOT NULL,
     image TEXT NOT NULL,
     image_fingerprint TEXT NOT NULL,
     boot INTEGER NOT NULL CHECK (boot >= 1),
     stage TEXT NOT NULL,
     module TEXT NOT NULL,
     verdict TEXT,
     ms REAL NOT NULL CHECK (ms >= 0),
     PRIMARY KEY (run_id, case_name, image, boot, stage, module)
   );
   CREATE INDEX timings_by_series ON timings (case_name, image, boot, stage, module);`,
];
export const SCHEMA_VERSION = MIGRATIONS.length;

// A whole stage has no module; the key column cannot be NULL and stay unique.
const WHOLE_STAGE = '';

type PointRow = RunRow & { readonly image_fingerprint: string; readonly verdict: string | null; readonly ms: number };
/** allSeries' columns of timings, in its SELECT's order. */
type TimingRow = readonly [runId: string, image: string, caseName: string, boot: number, stage: TimingSeries['stage'], module: string, imageFingerprint: string, verdict: string | null, ms: number];

interface RunRow {
  readonly run_id: string;
  readonly started_at: string;
  readonly platform: string;
  readonly build_kind: BuildKey['kind'];
  readonly build_sha256: string | null;
  readonly build_commit: string | null;
  readonly build_describe: string | null;
  readonly harness_version: string;
}

/** Opens (creating and migrating as needed) the SQLite history at `file`. */
export function openSqliteHistory(file: string): HistoryStore {
  let db: Database.Database;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { timeout: 10_000 });
    // WAL: a run writing its history does not block `harness trends` reading it.
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
  } catch (error) {
    if (error instanceof HarnessError) throw error;
    throw new HarnessError('HISTORY_STORE', `cannot open the history store ${file}: ${describeError(error)}`, {
      hint: 'make its folder writable, or point CLOUDPROOF_HISTORY (or --store) at another file',
      cause: error,
    });
  }
  return new SqliteHistory(db);
}

function migrate(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new HarnessError('HISTORY_STORE', `the history store ${file} has schema version ${version}, newer than this harness knows (${SCHEMA_VERSION})`, {
      hint: 'use a newer cloudproof with it, or another file',
    });
  }
  db.transaction(() => {
    for (const migration of MIGRATIONS.slice(version)) db.exec(migration);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

class SqliteHistory implements HistoryStore {
  constructor(private readonly db: Database.Database) {}

  recordRun(run: HistoryRun, timings: readonly Timing[]): Promise<'added' | 'replaced'> {
    const write = this.db.transaction((): 'added' | 'replaced' => {
      const existed = this.db.prepare('DELETE FROM runs WHERE run_id = ?').run(run.runId).changes > 0;
      this.db
        .prepare(
          `INSERT INTO runs (run_id, started_at, platform, build_kind, build_sha256, build_commit, build_describe, harness_version)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(run.runId, run.startedAt, run.platform, run.build.kind, run.build.sha256 ?? null, run.build.commit ?? null, run.build.describe ?? null, run.harnessVersion);
      const insert = this.db.prepare(
        `INSERT INTO timings (run_id, case_name, image, image_fingerprint, boot, stage, module, verdict, ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const timing of timings) {
        insert.run(run.runId, timing.case, timing.image, timing.imageFingerprint, timing.boot, timing.stage, timing.module ?? WHOLE_STAGE, timing.verdict ?? null, timing.ms);
      }
      return existed ? 'replaced' : 'added';
    });
    return Promise.resolve().then(() => write.immediate());
  }

  series(key: SeriesKey): Promise<SeriesPoint[]> {
    const rows = this.db
      .prepare(
        `SELECT r.*, t.image_fingerprint, t.verdict, t.ms FROM timings t JOIN runs r USING (run_id)
         WHERE r.platform = ? AND t.image = ? AND t.case_name = ? AND t.boot = ? AND t.stage = ? AND t.module = ?
           AND (? IS NULL OR r.build_sha256 = ?) AND (? IS NULL OR r.build_commit = ?)
         ORDER BY r.started_at, r.run_id`,
      )
      .all(
        key.platform,
        key.image,
        key.case,
        key.boot,
        key.stage,
        key.module ?? WHOLE_STAGE,
        key.build?.sha256 ?? null,
        key.build?.sha256 ?? null,
        key.build?.commit ?? null,
        key.build?.commit ?? null,
      ) as PointRow[];
    return Promise.resolve(rows.map(pointOf));
  }

  allSeries(filter: SeriesFilter = {}): Promise<Series[]> {
    // Rows as arrays, grouped here and each run's fields built once: sorting 100,000 rows in SQL would cost more than reading them.
    const runRows = this.db.prepare('SELECT * FROM runs WHERE ? IS NULL OR platform = ? ORDER BY started_at, run_id').all(filter.platform ?? null, filter.platform ?? null) as RunRow[];
    const runs = new Map(runRows.map((row, order) => [row.run_id, { order, platform: row.platform, point: { runId: row.run_id, startedAt: row.started_at, build: buildOf(row) } }]));
    const rows = this.db
      .prepare(
        `SELECT run_id, image, case_name, boot, stage, module, image_fingerprint, verdict, ms FROM timings
         WHERE (? IS NULL OR image = ?) AND (? IS NULL OR case_name = ?)`,
      )
      .raw()
      .all(filter.image ?? null, filter.image ?? null, filter.case ?? null, filter.case ?? null) as TimingRow[];
    const grouped = new Map<string, { readonly key: SeriesKey; readonly points: { readonly order: number; readonly point: SeriesPoint }[] }>();
    for (const row of rows) {
      const [runId, image, caseName, boot, stage, module, imageFingerprint, verdict, ms] = row;
      const run = runs.get(runId);
      if (run === undefined) continue;
      const id = `${run.platform}\0${image}\0${caseName}\0${boot}\0${stage}\0${module}`;
      let series = grouped.get(id);
      if (series === undefined) {
        series = { key: seriesKeyOf(run.platform, row), points: [] };
        grouped.set(id, series);
      }
      series.points.push({ order: run.order, point: { ...run.point, imageFingerprint, verdict: verdict ?? undefined, ms } });
    }
    return Promise.resolve(
      [...grouped.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, { key, points }]) => ({ key, points: points.sort((a, b) => a.order - b.order).map((entry) => entry.point) })),
    );
  }

  listRuns(filter: { readonly platform?: string } = {}): Promise<HistoryRun[]> {
    const rows = this.db.prepare('SELECT * FROM runs WHERE ? IS NULL OR platform = ? ORDER BY started_at, run_id').all(filter.platform ?? null, filter.platform ?? null) as RunRow[];
    return Promise.resolve(
      rows.map((row) => ({ runId: row.run_id, startedAt: row.started_at, platform: row.platform, build: buildOf(row), harnessVersion: row.harness_version })),
    );
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}

function buildOf(row: RunRow): BuildKey {
  return { kind: row.build_kind, sha256: row.build_sha256 ?? undefined, commit: row.build_commit ?? undefined, describe: row.build_describe ?? undefined };
}

function pointOf(row: PointRow): SeriesPoint {
  return { runId: row.run_id, startedAt: row.started_at, build: buildOf(row), imageFingerprint: row.image_fingerprint, verdict: row.verdict ?? undefined, ms: row.ms };
}

function seriesKeyOf(platform: string, [, image, caseName, boot, stage, module]: TimingRow): SeriesKey {
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
