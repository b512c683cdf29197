import assert from 'node:assert/strict';
import { recordedRun, replayed, SLOWED, STEP_AT_RUN, STEP_MS } from '../../test/replayed-history.js';
import { recordRun } from './history/record-run.js';
import { openSqliteHistory } from './history/sqlite-store.js';
import type { HistoryStore, Series, SeriesKey, SeriesPoint } from './history/store.js';
import { seededRandom } from './stats/seeded-random.js';
import { trendsTable } from './trends-table.js';
import { trendsOf, type Trend } from './trends.js';

function trendOf(trends: readonly Trend[], wanted: Pick<SeriesKey, 'stage' | 'module'>): Trend {
  const found = trends.find((trend) => trend.key.stage === wanted.stage && trend.key.module === wanted.module);
  assert.ok(found !== undefined, `no series ${wanted.stage}/${wanted.module ?? ''}`);
  return found;
}

describe('boot-time trends across runs', () => {
  let store: HistoryStore;
  beforeEach(() => {
    store = openSqliteHistory(':memory:');
  });
  afterEach(() => store.close());

  it('30 replays of a recorded boot with a 0.2 s step at run 20: the module and its stage are SLOWER since run 20, the total with them, the rest SAME', async () => {
    const recorded = await recordedRun();
    assert.ok(recorded.cells[0]?.bootTimes?.[0]?.stages.some((stage) => stage.modules.some((module) => module.module === SLOWED.module)), 'the recorded boot has the module');
    const random = seededRandom(20);
    for (let n = 1; n <= 30; n++) await recordRun(store, replayed(recorded, n, random));

    const trends = trendsOf(await store.allSeries({ platform: 'lxd' }));
    for (const moved of [SLOWED, { stage: 'modules-final', module: undefined }] as const) {
      const trend = trendOf(trends, moved);
      assert.equal(trend.verdict, 'SLOWER', `${moved.stage}/${moved.module ?? ''}`);
      assert.equal(trend.since?.position, STEP_AT_RUN);
      assert.equal(trend.since?.run.runId, 'replay-20');
      assert.ok(Math.abs((trend.since?.stepMs ?? 0) - STEP_MS) < 40, `step ${trend.since?.stepMs}`);
      assert.ok((trend.since?.pValue ?? 1) <= 0.05);
    }
    // Three seconds jittered by several per cent hide where a 0.2 s step starts to within a run, not that it came.
    const total = trendOf(trends, { stage: 'cloud-init', module: undefined });
    assert.equal(total.verdict, 'SLOWER');
    assert.ok(Math.abs((total.since?.position ?? 0) - STEP_AT_RUN) <= 1, `total moved at run ${total.since?.position}`);
    const unmoved = trends.filter((trend) => trend.key.stage !== 'cloud-init' && trend.key.stage !== SLOWED.stage);
    assert.ok(unmoved.length > 20);
    assert.deepEqual(unmoved.filter((trend) => trend.verdict !== 'SAME').map((trend) => `${trend.key.stage}/${trend.key.module ?? ''}: ${trend.verdict}`), []);

    const table = trendsTable(trends);
    const line = table.find((text) => text.includes(`${SLOWED.stage}/${SLOWED.module}`));
    assert.match(line ?? '', /SLOWER +run 20 of 30: replay-20 \(the image as it is, 2026-11-20T00:00:00\.000Z\)/);
    assert.ok(table.indexOf(line ?? '') < table.findIndex((text) => text.includes('SAME')), 'moved series come first');
  });

  it('the same history gives the same trends every time', async () => {
    const recorded = await recordedRun();
    const random = seededRandom(7);
    for (let n = 1; n <= 30; n++) await recordRun(store, replayed(recorded, n, random));
    const series = await store.allSeries();
    assert.deepEqual(trendsOf(series), trendsOf(series));
  });

  const point = (n: number, ms: number, verdict: string | undefined = 'passed'): SeriesPoint => ({
    runId: `r${n}`,
    startedAt: `2026-11-${String(n).padStart(2, '0')}T00:00:00Z`,
    build: { kind: 'deb', sha256: `sha${n}`, commit: undefined, describe: undefined },
    imageFingerprint: 'f',
    verdict,
    ms,
  });
  const key: SeriesKey = { platform: 'qemu', image: 'debian/bookworm', case: 'clean_boot', boot: 1, stage: 'init', module: 'ssh' };
  const seriesOf = (values: readonly number[], verdictOf: (n: number) => string | undefined = () => 'passed'): Series[] => [
    { key, points: values.map((ms, i) => point(i + 1, ms, verdictOf(i + 1))) },
  ];

  it('a step smaller than the minimum effect is SAME, however clear', () => {
    const values = Array.from({ length: 20 }, (_, i) => (i < 10 ? 100 : 110) + (i % 3));
    const [trend] = trendsOf(seriesOf(values), { minEffectMs: 11 });
    assert.equal(trend?.verdict, 'SAME');
    assert.equal(trend?.changes[0]?.position, 11, 'the change point is still there for a chart');
    const [strict] = trendsOf(seriesOf(values), { minEffectMs: 5, minEffectPercent: 5 });
    assert.equal(strict?.verdict, 'SLOWER');
    const [flat] = trendsOf(seriesOf(values), { minEffectMs: 13 });
    assert.deepEqual([flat?.verdict, flat?.changes], ['SAME', []], 'a range of 12 ms is not split for a minimum effect of 13');
  });

  it('a faster step is FASTER, and failed cells are left out of the series', () => {
    const values = Array.from({ length: 24 }, (_, i) => (i < 12 ? 900 : 600) + (i % 4) * 5);
    // A failed cell's boot can stall at any length: a 5 s one among them must not move the verdict.
    const [trend] = trendsOf(seriesOf([...values.slice(0, 12), 5000, ...values.slice(12)], (n) => (n === 13 ? 'failed' : 'passed')));
    assert.equal(trend?.verdict, 'FASTER');
    assert.equal(trend?.runs, 24);
    assert.equal(trend?.since?.run.runId, 'r14', 'run 13 (failed) is not counted');
  });

  it('too few runs is UNKNOWN, saying how many it needs', () => {
    const [trend] = trendsOf(seriesOf([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    assert.equal(trend?.verdict, 'UNKNOWN');
    assert.match(trend?.reason ?? '', /^9 run\(s\) with this series; a change point needs 10$/);
  });

  it('looks at the newest runs only', () => {
    const values = Array.from({ length: 40 }, (_, i) => (i < 10 ? 2000 : 1000) + (i % 5));
    assert.equal(trendsOf(seriesOf(values))[0]?.verdict, 'FASTER');
    assert.equal(trendsOf(seriesOf(values), { lastRuns: 25 })[0]?.verdict, 'SAME');
  });
});
