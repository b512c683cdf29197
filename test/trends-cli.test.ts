import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { recordRun } from '../reports/trends/history/record-run.js';
import { openSqliteHistory } from '../reports/trends/history/sqlite-store.js';
import { seededRandom } from '../reports/trends/stats/seeded-random.js';
import { recordedRun, replayed } from './replayed-history.js';

const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');

describe('harness trends', () => {
  let dir: string;
  let store: string;
  const trends = (...args: string[]) => execa('node', [HARNESS, 'trends', '--store', store, ...args], { reject: false, env: { CI: 'true' } });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cloudproof-trends-cli-'));
    store = join(dir, 'history.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function thirtyRuns(): Promise<void> {
    const history = openSqliteHistory(store);
    const recorded = await recordedRun();
    const random = seededRandom(20);
    try {
      for (let n = 1; n <= 30; n++) await recordRun(history, replayed(recorded, n, random));
    } finally {
      await history.close();
    }
  }

  it('names the module and stage that got slower and the run since, and fails on it only when asked', async () => {
    await thirtyRuns();
    const shown = await trends();
    assert.equal(shown.exitCode, 0, shown.stderr);
    assert.match(shown.stdout, /^series +runs +baseline +now +change +verdict +since$/m);
    assert.match(shown.stdout, /lxd debian\/bookworm clean_boot: modules-final\/scripts-user +30 +\d+ ms +\d+ ms +\+\d+ ms.* SLOWER +run 20 of 30: replay-20 /);
    assert.match(shown.stdout, /lxd debian\/bookworm clean_boot: init +30 .* SAME/);
    assert.match(shown.stdout, /series that did not move are left out; --all shows them\)$/m);
    const page = join(dir, 'page', 'trends.html');
    const charted = await trends('--html', page);
    assert.match(charted.stdout, new RegExp(`^charts: ${page.replace(/[.]/g, '\\.')}$`, 'm'));
    assert.match(readFileSync(page, 'utf8'), /modules-final\/scripts-user: SLOWER since replay-20/);
    const all = await trends('--all');
    assert.ok(all.stdout.split('\n').length > shown.stdout.split('\n').length);
    const gate = await trends('--fail-on-regression');
    assert.equal(gate.exitCode, 1);
    assert.match(gate.stderr, /^\d+ series got slower \(--fail-on-regression\)$/m);
    const elsewhere = await trends('--platform', 'qemu');
    assert.equal(elsewhere.exitCode, 2);
    assert.match(elsewhere.stderr, /no boot times in .* for that filter/);
  });

  it('an empty history says how to fill it, exit 2', async () => {
    const empty = await trends();
    assert.equal(empty.exitCode, 2);
    assert.match(empty.stderr, /run cases \(each run records them\), or import earlier runs with: harness history import results\/<run-id>/);
  });

  it('a bad number is refused in one line before anything is read', async () => {
    const bad = await trends('--min-effect-ms', 'fast');
    assert.notEqual(bad.exitCode, 0);
    assert.match(bad.stderr, /--min-effect-ms.*give a number of 0 or more/);
  });
});
