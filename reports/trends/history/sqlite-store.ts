import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { describeError, HarnessError } from '../../../core/errors.js';
import type { HistoryRun, HistoryStore, Series, SeriesFilter, SeriesKey, SeriesPoint, Timing, TimingSeries } from './store.js';
import { buildOf, pointOf, seriesKeyOf, WHOLE_STAGE, type PointRow, type RunRow } from './table-rows.js';

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
  // v2: a series is named once and each cell's image and verdict once, so that a timing is
  // three numbers: reading 100,000 of them for `harness trends` is then mostly not strings.
  `CREATE TABLE series (
     series_id INTEGER PRIMARY KEY,
     platform TEXT NOT NULL,
     image TEXT NOT NULL,
     case_name TEXT NOT NULL,
     boot INTEGER NOT NULL CHECK (boot >= 1),
     stage TEXT NOT NULL,
     module TEXT NOT NULL,
     UNIQUE (platform, image, case_name, boot, stage, module)
   );
   CREATE TABLE cells (
     cell_id INTEGER PRIMARY KEY,
     run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
     case_name TEXT NOT NULL,
     image TEXT NOT NULL,
     image_fingerprint TEXT NOT NULL,
     verdict TEXT,
     UNIQUE (run_id, case_name, image)
   );
   CREATE TABLE points (
     cell_id INTEGER NOT NULL REFERENCES cells (cell_id) ON DELETE CASCADE,
     series_id INTEGER NOT NULL REFERENCES series (series_id),
     ms REAL NOT NULL CHECK (ms >= 0),
     PRIMARY KEY (cell_id, series_id)
   ) WITHOUT ROWID;
   CREATE INDEX points_by_series ON points (series_id);
   INSERT INTO series (platform, image, case_name, boot, stage, module)
     SELECT DISTINCT r.platform, t.image, t.case_name, t.boot, t.stage, t.module FROM timings t JOIN runs r USING (run_id);
   INSERT INTO cells (run_id, case_name, image, image_fingerprint, verdict)
     SELECT run_id, case_name, image, MIN(image_fingerprint), MIN(verdict) FROM timings GROUP BY run_id, case_name, image;
   INSERT INTO points (cell_id, series_id, ms)
     SELECT c.cell_id, s.series_id, t.ms FROM timings t JOIN runs r USING (run_id)
       JOIN cells c ON c.run_id = t.run_id AND c.case_name = t.case_name AND c.image = t.image
       JOIN series s ON s.platform = r.platform AND s.image = t.image AND s.case_name = t.case_name AND s.boot = t.boot AND s.stage = t.stage AND s.module = t.module;
   DROP TABLE timings;`,
];
export const SCHEMA_VERSION = MIGRATIONS.length;


/** allSeries' columns of series, in its SELECT's order. */
type SeriesRow = readonly [seriesId: number, platform: string, image: string, caseName: string, boot: number, stage: TimingSeries['stage'], module: string];


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
      // The run's cells and points go with it (ON DELETE CASCADE); series stay, shared with other runs.
      const existed = this.db.prepare('DELETE FROM runs WHERE run_id = ?').run(run.runId).changes > 0;
      this.db
        .prepare(
          `INSERT INTO runs (run_id, started_at, platform, build_kind, build_sha256, build_commit, build_describe, harness_version)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(run.runId, run.startedAt, run.platform, run.build.kind, run.build.sha256 ?? null, run.build.commit ?? null, run.build.describe ?? null, run.harnessVersion);
      const addSeries = this.db.prepare('INSERT OR IGNORE INTO series (platform, image, case_name, boot, stage, module) VALUES (?, ?, ?, ?, ?, ?)');
      const seriesId = this.db.prepare('SELECT series_id FROM series WHERE platform = ? AND image = ? AND case_name = ? AND boot = ? AND stage = ? AND module = ?').pluck();
      const addCell = this.db.prepare('INSERT INTO cells (run_id, case_name, image, image_fingerprint, verdict) VALUES (?, ?, ?, ?, ?)');
      const addPoint = this.db.prepare('INSERT INTO points (cell_id, series_id, ms) VALUES (?, ?, ?)');
      const cells = new Map<string, number | bigint>();
      for (const timing of timings) {
        const cellKey = `${timing.case}\0${timing.image}`;
        let cellId = cells.get(cellKey);
        if (cellId === undefined) {
          cellId = addCell.run(run.runId, timing.case, timing.image, timing.imageFingerprint, timing.verdict ?? null).lastInsertRowid;
          cells.set(cellKey, cellId);
        }
        const where = [run.platform, timing.image, timing.case, timing.boot, timing.stage, timing.module ?? WHOLE_STAGE] as const;
        addSeries.run(...where);
        addPoint.run(cellId, seriesId.get(...where), timing.ms);
      }
      return existed ? 'replaced' : 'added';
    });
    return Promise.resolve().then(() => write.immediate());
  }

  series(key: SeriesKey): Promise<SeriesPoint[]> {
    const rows = this.db
      .prepare(
        `SELECT r.*, c.image_fingerprint, c.verdict, p.ms FROM points p JOIN cells c USING (cell_id) JOIN runs r USING (run_id) JOIN series s USING (series_id)
         WHERE s.platform = ? AND s.image = ? AND s.case_name = ? AND s.boot = ? AND s.stage = ? AND s.module = ?
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
    // Three small reads that name things, then the points as bare numbers, grouped here.
    const platform = filter.platform ?? null;
    const image = filter.image ?? null;
    const caseName = filter.case ?? null;
    const runRows = this.db.prepare('SELECT * FROM runs WHERE ? IS NULL OR platform = ? ORDER BY started_at, run_id').all(platform, platform) as RunRow[];
    const runs = new Map(runRows.map((row, order) => [row.run_id, { order, runId: row.run_id, startedAt: row.started_at, build: buildOf(row) }]));
    const cellRows = this.db
      .prepare('SELECT cell_id, run_id, image_fingerprint, verdict FROM cells WHERE (? IS NULL OR image = ?) AND (? IS NULL OR case_name = ?)')
      .raw()
      .all(image, image, caseName, caseName) as [number, string, string, string | null][];
    const cells = new Map<number, CellPoint>();
    for (const [cellId, runId, imageFingerprint, verdict] of cellRows) {
      const run = runs.get(runId);
      if (run !== undefined) cells.set(cellId, { order: run.order, runId, startedAt: run.startedAt, build: run.build, imageFingerprint, verdict: verdict ?? undefined });
    }
    const seriesFilter = '(? IS NULL OR platform = ?) AND (? IS NULL OR image = ?) AND (? IS NULL OR case_name = ?)';
    const filterValues = [platform, platform, image, image, caseName, caseName];
    const seriesRows = this.db.prepare(`SELECT series_id, platform, image, case_name, boot, stage, module FROM series WHERE ${seriesFilter}`).raw().all(...filterValues) as SeriesRow[];
    const grouped = new Map(seriesRows.map((row) => [row[0], { name: row.slice(1).join('\0'), key: seriesKeyOf(...(row.slice(1) as [string, string, string, number, TimingSeries['stage'], string])), points: [] as SeriesPoint[], orders: [] as number[], sorted: true }]));
    const pointRows = this.db.prepare(`SELECT cell_id, series_id, ms FROM points WHERE series_id IN (SELECT series_id FROM series WHERE ${seriesFilter})`).raw().all(...filterValues) as [number, number, number][];
    for (const [cellId, seriesId, ms] of pointRows) {
      const cell = cells.get(cellId);
      const series = grouped.get(seriesId);
      if (cell === undefined || series === undefined) continue;
      // A literal, not a spread: this runs once per stored timing.
      series.points.push({ runId: cell.runId, startedAt: cell.startedAt, build: cell.build, imageFingerprint: cell.imageFingerprint, verdict: cell.verdict, ms });
      const last = series.orders[series.orders.length - 1];
      if (last !== undefined && last > cell.order) series.sorted = false;
      series.orders.push(cell.order);
    }
    return Promise.resolve(
      [...grouped.values()]
        .filter((series) => series.points.length > 0)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map(({ key, points, orders, sorted }) => ({ key, points: sorted ? points : inRunOrder(points, orders) })),
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

/** What every point of one cell shares, and where its run comes in the history. */
type CellPoint = Omit<SeriesPoint, 'ms'> & { readonly order: number };

/** Points read in the order they were stored (a run imported late is out of order), put in the order of their runs. */
function inRunOrder(points: readonly SeriesPoint[], orders: readonly number[]): SeriesPoint[] {
  return points
    .map((point, index) => ({ point, order: orders[index] ?? 0 }))
    .sort((a, b) => a.order - b.order)
    .map((entry) => entry.point);
}

