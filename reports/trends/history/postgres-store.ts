import pg from 'pg';
import { describeError, HarnessError } from '../../../core/errors.js';
import { shownLocation } from './open-history.js';
import type { HistoryRun, HistoryStore, Series, SeriesFilter, SeriesKey, SeriesPoint, Timing, TimingSeries } from './store.js';
import { buildOf, pointOf, seriesKeyOf, WHOLE_STAGE, type PointRow, type RunRow } from './table-rows.js';

/**
 * The history in PostgreSQL, for a farm of workers on one database: the same tables as the
 * SQLite store's schema 2 (a series named once, a cell's image and verdict once, a timing
 * three numbers). Each migration is applied under an advisory lock, so workers starting
 * together migrate once; a run is written in one transaction.
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
   CREATE TABLE series (
     series_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     platform TEXT NOT NULL,
     image TEXT NOT NULL,
     case_name TEXT NOT NULL,
     boot INTEGER NOT NULL CHECK (boot >= 1),
     stage TEXT NOT NULL,
     module TEXT NOT NULL,
     UNIQUE (platform, image, case_name, boot, stage, module)
   );
   CREATE TABLE cells (
     cell_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
     case_name TEXT NOT NULL,
     image TEXT NOT NULL,
     image_fingerprint TEXT NOT NULL,
     verdict TEXT,
     UNIQUE (run_id, case_name, image)
   );
   CREATE TABLE points (
     cell_id BIGINT NOT NULL REFERENCES cells (cell_id) ON DELETE CASCADE,
     series_id BIGINT NOT NULL REFERENCES series (series_id),
     ms DOUBLE PRECISION NOT NULL CHECK (ms >= 0),
     PRIMARY KEY (cell_id, series_id)
   );
   CREATE INDEX points_by_series ON points (series_id);`,
];
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

// Any constant both the harness and an operator can recognise in pg_locks.
const MIGRATION_LOCK = 0x636c6f75;

/** Connects to the database at `url`, creating and migrating the schema as needed. */
export async function openPostgresHistory(url: string): Promise<HistoryStore> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    if (error instanceof HarnessError) throw error;
    throw new HarnessError('HISTORY_STORE', `cannot open the history store ${shownLocation(url)}: ${describeError(error)}`, {
      hint: 'check that the server runs and the URL (user, password, database) is right, or point CLOUDPROOF_HISTORY (or --store) at a SQLite file',
      cause: error,
    });
  }
  return new PostgresHistory(pool);
}

async function migrate(pool: pg.Pool): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS cloudproof_schema (version INTEGER NOT NULL)');
    const version = ((await client.query<{ version: number }>('SELECT version FROM cloudproof_schema')).rows[0]?.version ?? 0);
    if (version > POSTGRES_SCHEMA_VERSION) {
      throw new HarnessError('HISTORY_STORE', `the history database has schema version ${version}, newer than this harness knows (${POSTGRES_SCHEMA_VERSION})`, {
        hint: 'use a newer cloudproof with it, or another database',
      });
    }
    for (const migration of MIGRATIONS.slice(version)) await client.query(migration);
    await client.query('DELETE FROM cloudproof_schema');
    await client.query('INSERT INTO cloudproof_schema (version) VALUES ($1)', [POSTGRES_SCHEMA_VERSION]);
  });
}

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}



class PostgresHistory implements HistoryStore {
  constructor(private readonly pool: pg.Pool) {}

  recordRun(run: HistoryRun, timings: readonly Timing[]): Promise<'added' | 'replaced'> {
    return inTransaction(this.pool, async (client) => {
      // The run's cells and points go with it (ON DELETE CASCADE); series stay, shared with other runs.
      const existed = ((await client.query('DELETE FROM runs WHERE run_id = $1', [run.runId])).rowCount ?? 0) > 0;
      await client.query(
        `INSERT INTO runs (run_id, started_at, platform, build_kind, build_sha256, build_commit, build_describe, harness_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [run.runId, run.startedAt, run.platform, run.build.kind, run.build.sha256 ?? null, run.build.commit ?? null, run.build.describe ?? null, run.harnessVersion],
      );
      if (timings.length === 0) return existed ? 'replaced' : 'added';
      // A few statements over arrays, not one per timing: a worker on another host pays a round trip for each.
      const cells = [...new Map(timings.map((timing) => [`${timing.case}\0${timing.image}`, timing])).values()];
      const cellIds = new Map(
        (
          await client.query<{ cell_id: string; case_name: string; image: string }>(
            `INSERT INTO cells (run_id, case_name, image, image_fingerprint, verdict)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) RETURNING cell_id, case_name, image`,
            [run.runId, cells.map((cell) => cell.case), cells.map((cell) => cell.image), cells.map((cell) => cell.imageFingerprint), cells.map((cell) => cell.verdict ?? null)],
          )
        ).rows.map((row) => [`${row.case_name}\0${row.image}`, row.cell_id]),
      );
      const columns = [timings.map((timing) => timing.image), timings.map((timing) => timing.case), timings.map((timing) => timing.boot), timings.map((timing) => timing.stage), timings.map((timing) => timing.module ?? WHOLE_STAGE)];
      await client.query(
        `INSERT INTO series (platform, image, case_name, boot, stage, module)
         SELECT DISTINCT $1::text, * FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[]) ON CONFLICT DO NOTHING`,
        [run.platform, ...columns],
      );
      await client.query(
        `INSERT INTO points (cell_id, series_id, ms)
         SELECT t.cell_id, s.series_id, t.ms
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::float8[]) AS t (cell_id, image, case_name, boot, stage, module, ms)
         JOIN series s ON s.platform = $1 AND s.image = t.image AND s.case_name = t.case_name AND s.boot = t.boot AND s.stage = t.stage AND s.module = t.module`,
        [run.platform, timings.map((timing) => cellIds.get(`${timing.case}\0${timing.image}`)), ...columns, timings.map((timing) => timing.ms)],
      );
      return existed ? 'replaced' : 'added';
    });
  }

  async series(key: SeriesKey): Promise<SeriesPoint[]> {
    const { rows } = await this.pool.query<PointRow>(
      `SELECT r.*, c.image_fingerprint, c.verdict, p.ms FROM points p JOIN cells c USING (cell_id) JOIN runs r USING (run_id) JOIN series s USING (series_id)
       WHERE s.platform = $1 AND s.image = $2 AND s.case_name = $3 AND s.boot = $4 AND s.stage = $5 AND s.module = $6
         AND ($7::text IS NULL OR r.build_sha256 = $7) AND ($8::text IS NULL OR r.build_commit = $8)
       ORDER BY r.started_at, r.run_id`,
      [key.platform, key.image, key.case, key.boot, key.stage, key.module ?? WHOLE_STAGE, key.build?.sha256 ?? null, key.build?.commit ?? null],
    );
    return rows.map(pointOf);
  }

  async allSeries(filter: SeriesFilter = {}): Promise<Series[]> {
    const values = [filter.platform ?? null, filter.image ?? null, filter.case ?? null];
    const where = '($1::text IS NULL OR s.platform = $1) AND ($2::text IS NULL OR s.image = $2) AND ($3::text IS NULL OR s.case_name = $3)';
    // Each series' points come back together and in run order; the series are then put in the order the SQLite store gives them.
    const { rows } = await this.pool.query<{ series_id: string } & PointRow & { image: string; case_name: string; boot: number; stage: TimingSeries['stage']; module: string }>({
      text: `SELECT s.series_id, s.platform, s.image, s.case_name, s.boot, s.stage, s.module, r.run_id, r.started_at, r.build_kind, r.build_sha256, r.build_commit, r.build_describe,
                    c.image_fingerprint, c.verdict, p.ms
             FROM points p JOIN series s USING (series_id) JOIN cells c USING (cell_id) JOIN runs r USING (run_id)
             WHERE ${where}
             ORDER BY s.series_id, r.started_at, r.run_id`,
      values,
    });
    const grouped = new Map<string, { readonly name: string; readonly key: SeriesKey; readonly points: SeriesPoint[] }>();
    for (const row of rows) {
      let series = grouped.get(row.series_id);
      if (series === undefined) {
        series = { name: [row.platform, row.image, row.case_name, row.boot, row.stage, row.module].join('\0'), key: seriesKeyOf(row.platform, row.image, row.case_name, row.boot, row.stage, row.module), points: [] };
        grouped.set(row.series_id, series);
      }
      series.points.push(pointOf(row));
    }
    return [...grouped.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(({ key, points }) => ({ key, points }));
  }

  async listRuns(filter: { readonly platform?: string } = {}): Promise<HistoryRun[]> {
    const { rows } = await this.pool.query<RunRow>('SELECT * FROM runs WHERE $1::text IS NULL OR platform = $1 ORDER BY started_at, run_id', [filter.platform ?? null]);
    return rows.map((row) => ({ runId: row.run_id, startedAt: row.started_at, platform: row.platform, build: buildOf(row), harnessVersion: row.harness_version }));
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}


