import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { openSqliteHistory } from '../reports/trends/history/sqlite-store.js';

const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');
// Real LXD runs made before run.json kept boot times: import reads them from the harvest.
const SINGLE_BOOT_RUN = join(import.meta.dirname, 'fixtures', 'boot-times', '20261203-081840-bd64');
const TWO_BOOT_RUN = join(import.meta.dirname, 'fixtures', 'boot-times', '20261203-081912-8a31');

describe('harness history import', () => {
  let dir: string;
  let store: string;
  const harness = (...args: string[]) => execa('node', [HARNESS, 'history', 'import', ...args, '--store', store], { reject: false, env: { CI: 'true' } });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cloudproof-history-cli-'));
    store = join(dir, 'history.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("records every boot's stages of old runs, and importing a run again does not double it", async () => {
    const first = await harness(SINGLE_BOOT_RUN, TWO_BOOT_RUN);
    assert.equal(first.exitCode, 0, first.stderr);
    assert.match(first.stdout, /imported 20261203-081840-bd64: \d+ timings/);
    const again = await harness(TWO_BOOT_RUN);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.match(again.stdout, /re-imported \(replaced\) 20261203-081912-8a31/);

    const history = openSqliteHistory(store);
    try {
      assert.equal((await history.listRuns()).length, 2);
      const key = { platform: 'lxd', image: 'debian/bookworm', case: 'frequencies_across_reboot', stage: 'modules-final', module: undefined } as const;
      assert.deepEqual(
        (await history.series({ ...key, boot: 1 })).map((point) => point.ms),
        [220],
      );
      assert.deepEqual(
        (await history.series({ ...key, boot: 2 })).map((point) => point.ms),
        [90],
      );
      const userspace = await history.series({ platform: 'lxd', image: 'debian/bookworm', case: 'clean_boot', boot: 1, stage: 'systemd', module: 'userspace' });
      assert.deepEqual(
        userspace.map((point) => point.ms),
        [9053],
      );
    } finally {
      await history.close();
    }
  });

  it('says in one line that a folder is not a run, and imports none of the others', async () => {
    const result = await harness(SINGLE_BOOT_RUN, dir);
    assert.equal(result.exitCode, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /is not a run folder \(no readable run\.json\)/);
    const history = openSqliteHistory(store);
    try {
      assert.deepEqual(await history.listRuns(), []);
    } finally {
      await history.close();
    }
  });
});
