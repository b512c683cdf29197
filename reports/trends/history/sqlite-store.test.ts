import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteHistory, SCHEMA_VERSION } from './sqlite-store.js';
import { describeStoreContract, finalStage } from './store-contract.js';

describe('SQLite history store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cloudproof-history-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describeStoreContract(async () => openSqliteHistory(join(dir, 'nested', 'history.sqlite')));

  it('creates its schema in WAL mode with a version, and refuses a file from a newer harness', async () => {
    const file = join(dir, 'history.sqlite');
    await openSqliteHistory(file).close();
    const db = new Database(file);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => openSqliteHistory(file), (error: Error & { code?: string }) => error.code === 'HISTORY_STORE' && /newer than this harness/.test(error.message));
  });

  it('moves the timings of a file of schema 1 (one row of names a timing) into series, cells and points', async () => {
    const file = join(dir, 'history.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE runs (run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, platform TEXT NOT NULL, build_kind TEXT NOT NULL, build_sha256 TEXT,
                build_commit TEXT, build_describe TEXT, harness_version TEXT NOT NULL);
              CREATE INDEX runs_by_platform ON runs (platform, started_at);
              CREATE TABLE timings (run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE, case_name TEXT NOT NULL, image TEXT NOT NULL,
                image_fingerprint TEXT NOT NULL, boot INTEGER NOT NULL, stage TEXT NOT NULL, module TEXT NOT NULL, verdict TEXT, ms REAL NOT NULL,
                PRIMARY KEY (run_id, case_name, image, boot, stage, module));
              CREATE INDEX timings_by_series ON timings (case_name, image, boot, stage, module);
              INSERT INTO runs VALUES ('r1', '2026-12-01T00:00:00Z', 'lxd', 'none', NULL, NULL, NULL, '0.1.0'), ('r2', '2026-12-02T00:00:00Z', 'lxd', 'deb', 'b', NULL, NULL, '0.1.0');
              INSERT INTO timings VALUES ('r1', 'clean_boot', 'debian/bookworm', '966e', 1, 'modules-final', '', 'passed', 286),
                ('r1', 'clean_boot', 'debian/bookworm', '966e', 1, 'modules-final', 'scripts-user', 'passed', 3),
                ('r2', 'clean_boot', 'debian/bookworm', '977f', 1, 'modules-final', '', 'failed', 300);
              PRAGMA user_version = 1;`);
    old.close();
    const store = openSqliteHistory(file);
    try {
      const points = await store.series(finalStage);
      assert.deepEqual(points.map((point) => [point.runId, point.imageFingerprint, point.verdict, point.ms]), [['r1', '966e', 'passed', 286], ['r2', '977f', 'failed', 300]]);
      const all = await store.allSeries();
      assert.deepEqual(all.map((series) => [series.key.module, series.points.length]), [[undefined, 2], ['scripts-user', 1]]);
    } finally {
      await store.close();
    }
  });

  it('says which file it cannot open, as a typed error', () => {
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, '');
    assert.throws(() => openSqliteHistory(join(notAFolder, 'history.sqlite')), (error: Error & { code?: string }) => error.code === 'HISTORY_STORE' && error.message.includes(notAFolder));
  });
});
