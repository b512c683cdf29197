import assert from 'node:assert/strict';
import type { HistoryRun, HistoryStore, Timing } from './store.js';

// What every HistoryStore must do, whatever keeps it: the SQLite and PostgreSQL stores' tests both run these.
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
export const finalStage = { platform: 'lxd', image: 'debian/bookworm', case: 'clean_boot', boot: 1, stage: 'modules-final', module: undefined } as const;

/** Registers the contract's tests; `open` gives a new, empty store for each. */
export function describeStoreContract(open: () => Promise<HistoryStore>): void {
  it('reads back a series oldest run first, a whole stage apart from its modules, by build when asked', async () => {
    const store = await open();
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
    // r1 was recorded after r2 (an import of an older run): allSeries still gives it first.
    assert.deepEqual(
      (await store.allSeries()).map((series) => [series.key.module, series.points.map((point) => `${point.runId} ${point.ms} ${point.imageFingerprint} ${point.verdict}`)]),
      [
        [undefined, ['r1 286 966e passed', 'r2 300 966e passed']],
        ['scripts-user', ['r1 3 966e passed', 'r2 5 966e passed']],
      ],
    );
    await store.close();
  });

  it('replaces a run recorded again instead of doubling it', async () => {
    const store = await open();
    assert.equal(await store.recordRun(run('r1', '2026-12-01T00:00:00Z'), [timing(286)]), 'added');
    assert.equal(await store.recordRun(run('r1', '2026-12-01T00:00:00Z'), [timing(287)]), 'replaced');
    assert.deepEqual(
      (await store.series(finalStage)).map((point) => point.ms),
      [287],
    );
    await store.close();
  });

  it('leaves nothing of a run whose write throws halfway, and keeps what an earlier import of it wrote', async () => {
    const store = await open();
    // The store refuses a negative duration: the third row fails after the run and two timings were written.
    await assert.rejects(store.recordRun(run('r1', '2026-12-01T00:00:00Z'), [timing(286), timing(3, 'a'), timing(-1, 'b')]), /check/i);
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


  it("keeps each cell's image and verdict apart, every kind of series, and runs by platform", async () => {
    const store = await open();
    const other = { case: 'other', image: 'debian/trixie', imageFingerprint: 'aa11', verdict: 'failed' } as const;
    await store.recordRun(run('r1', '2026-12-01T00:00:00Z'), [
      timing(286),
      { ...timing(3000), stage: 'cloud-init', module: undefined },
      { ...timing(900), stage: 'systemd', module: 'userspace' },
      { ...timing(120), stage: 'systemd-blame', module: 'cloud-init-local.service' },
      { ...timing(290), ...other },
      { ...timing(291), ...other, boot: 2 },
    ]);
    await store.recordRun({ ...run('q1', '2026-12-01T00:00:00Z'), platform: 'qemu' }, [timing(5000)]);
    const lxd = await store.allSeries({ platform: 'lxd' });
    assert.deepEqual(
      lxd.map((series) => [series.key.case, series.key.image, series.key.boot, series.key.stage, series.key.module, series.points.map((point) => `${point.imageFingerprint} ${point.verdict} ${point.ms}`).join()]),
      [
        ['clean_boot', 'debian/bookworm', 1, 'cloud-init', undefined, '966e passed 3000'],
        ['clean_boot', 'debian/bookworm', 1, 'modules-final', undefined, '966e passed 286'],
        ['clean_boot', 'debian/bookworm', 1, 'systemd', 'userspace', '966e passed 900'],
        ['clean_boot', 'debian/bookworm', 1, 'systemd-blame', 'cloud-init-local.service', '966e passed 120'],
        ['other', 'debian/trixie', 1, 'modules-final', undefined, 'aa11 failed 290'],
        ['other', 'debian/trixie', 2, 'modules-final', undefined, 'aa11 failed 291'],
      ],
    );
    assert.deepEqual((await store.allSeries({ case: 'other' })).length, 2);
    assert.deepEqual((await store.listRuns({ platform: 'qemu' })).map((entry) => entry.runId), ['q1']);
    assert.deepEqual((await store.series({ ...finalStage, platform: 'qemu' })).map((point) => point.ms), [5000]);
    await store.close();
  });
}
