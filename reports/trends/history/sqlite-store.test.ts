import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteHistory, SCHEMA_VERSION } from './sqlite-store.js';
import type { HistoryRun, Timing } from './store.js';

const run = (runId: string, startedAt: string, sha256?: string): HistoryRun => ({
  runId,
  startedAt,
  platform: 'lxd',
  build: { kind: sha256 === undefined ? 'none' : 'deb', sha256, commit: undefined, describe: undefined },
  harnessVersion: '0.1.0',
});
const timing = (ms: number, module?: string): Timing => ({
  stage: 'modules-final',
  module,
  case: 'clean_boot',
  image: 'debian/bookworm',
  imageFingerprint: '966e',
  boot: 1,
  verdict: 'passed',
  ms,
});
const finalStage = { platform: 'lxd', image: 'debian/bookworm', case: 'clean_boot', boot: 1, stage: 'modules-final', module: undefined } as const;

describe('SQLite history store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cloudproof-history-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back a series oldest run first, a whole stage apart from its modules, by build when asked', async () => {
    const store = openSqliteHistory(join(dir, 'nested', 'history.sqlite'));
    await store.recordRun(run('r2', '2026-12-02T00:00:00Z', 'b'), [timing(300), timing(5, 'scripts-user')]);
    await store.recordRun(run('r1', '2026-12-01T00:00:00Z', 'a'), [timing(286), timing(3, 'scripts-user')]);
    assert.deepEqual(
      (await store.series(finalStage)).map((point) => [point.runId, point.ms, point.build.sha256]),
      [
        ['r1', 286, 'a'],
        ['r2', 300, 'b'],
      ],
    );
    assert.deepEqual(
      (await store.series({ ...finalStage, module: 'scripts-user', build: { sha256: 'b' } })).map((point) => point.ms),
      [5],
    );
    assert.deepEqual(
      (await store.listRuns()).map((entry) => entry.runId),
      ['r1', 'r2'],
    );
    await store.close();
  });

  it('replaces a run recorded again instead of doubling it', async () => {
    const store = openSqliteHistory(join(dir, 'history.sqlite'));
    assert.equal(await store.recordRun(run('r1', '2026-12-01T00:00:00Z'), [timing(286)]), 'added');
    assert.equal(await store.recordRun(run('r1', '2026-12-01T00:00:00Z'), [timing(287)]), 'replaced');
    assert.deepEqual(
      (await store.series(finalStage)).map((point) => point.ms),
      [287],
    );
    await store.close();
  });

  it('leaves nothing of a run whose write throws halfway, and keeps what an earlier import of it wrote', async () => {
    const file = join(dir, 'history.sqlite');
    const store = openSqliteHistory(file);
    // The store refuses a negative duration: the third row fails after the run and two timings were written.
    await assert.rejects(store.recordRun(run('r1', '2026-12-01T00:00:00Z'), [timing(286), timing(3, 'a'), timing(-1, 'b')]), /CHECK constraint/);
    assert.deepEqual(await store.listRuns(), []);
    assert.deepEqual(await store.series(finalStage), []);
    await store.recordRun(run('r1', '2026-12-01T00:00:00Z'), [timing(286)]);
    await assert.rejects(store.recordRun(run('r1', '2026-12-01T00:00:00Z'), [timing(999), timing(-1, 'b')]));
    assert.deepEqual(
      (await store.series(finalStage)).map((point) => point.ms),
      [286],
    );
    await store.close();
  });

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

  it('says which file it cannot open, as a typed error', () => {
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, '');
    assert.throws(() => openSqliteHistory(join(notAFolder, 'history.sqlite')), (error: Error & { code?: string }) => error.code === 'HISTORY_STORE' && error.message.includes(notAFolder));
  });
});
