import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakePlatform } from '../platforms/fake/platform.js';
import { recordRun } from '../reports/trends/history/record-run.js';
import { openSqliteHistory } from '../reports/trends/history/sqlite-store.js';
import { seededRandom } from '../reports/trends/stats/seeded-random.js';
import { BASELINES_FILE } from '../results-schema/layout.js';
import { recordedRun, replayed } from './replayed-history.js';
import { runOn } from './run-on.js';

const HARVEST = join(import.meta.dirname, 'fixtures', 'boot-times', '20261203-081840-bd64', 'clean_boot', 'debian-bookworm', 'collectors');
const CASES = join(import.meta.dirname, 'fixtures', 'cases', 'baseline');
// The recorded LXD boot's own collectors: its init-local took 434 ms.
const outputs = { 'analyze-dump': readFileSync(join(HARVEST, 'analyze-dump.out'), 'utf8'), 'systemd-times': readFileSync(join(HARVEST, 'systemd-times.out'), 'utf8') };

describe("a check that holds a stage to its baseline (fake platform, the recorded boot's times)", () => {
  let results: string;
  let historyFile: string;
  beforeEach(async () => {
    results = await mkdtemp(join(tmpdir(), 'cloudproof-baseline-'));
    historyFile = join(results, 'history.sqlite');
  });
  afterEach(() => rm(results, { recursive: true, force: true }));

  /** `runs` earlier runs of case `timed` in the history, the recorded boot replayed with jitter and its init-local scaled. */
  async function history(runs: number, initLocalScale: number): Promise<void> {
    const recorded = await recordedRun();
    const random = seededRandom(5);
    const store = openSqliteHistory(historyFile);
    try {
      for (let n = 1; n <= runs; n++) {
        const run = replayed(recorded, n, random);
        const cells = run.cells.map((cell) => ({
          ...cell,
          case: 'timed',
          bootTimes: cell.bootTimes?.map((boot) => ({ ...boot, stages: boot.stages.map((stage) => (stage.stage === 'init-local' ? { ...stage, ms: stage.ms * initLocalScale } : stage)) })),
        }));
        await recordRun(store, { ...run, platform: { ...run.platform, name: 'fake' }, cells });
      }
    } finally {
      await store.close();
    }
  }
  const run = (withHistory = true) =>
    runOn(new FakePlatform({ behaviourOf: () => ({ outputs }), capabilities: ['out-of-band-exec'] }), results, { testcaseDirs: [CASES], ...(withHistory ? { historyFile } : {}) });
  const junitOf = (runDir: string) => readFile(join(runDir, 'junit.xml'), 'utf8');

  it('passes a boot like the ones before it, and the baseline it read is in the run folder', async () => {
    await history(10, 1);
    const result = await run();
    assert.equal(result.verdicts.get('timed [debian/bookworm]')?.verdict, 'passed');
    const { baselines } = JSON.parse(await readFile(join(result.runDir, BASELINES_FILE), 'utf8')) as { baselines: { stage: string; module?: string; runs: number; medianMs: number }[] };
    const initLocal = baselines.find((entry) => entry.stage === 'init-local' && entry.module === undefined);
    assert.equal(initLocal?.runs, 10);
    assert.ok(Math.abs((initLocal?.medianMs ?? 0) - 434) < 60, `median ${initLocal?.medianMs}`);
    assert.match(await junitOf(result.runDir), /<testcase name="timed \[debian\/bookworm\] init-local is no slower than its baseline"/);
  });

  it('fails a boot whose stage took twice its baseline, saying by how much', async () => {
    await history(10, 0.5);
    const result = await run();
    const verdict = result.verdicts.get('timed [debian/bookworm]');
    assert.equal(verdict?.verdict, 'failed');
    assert.match(verdict?.failures.map((failure) => failure.message).join('\n') ?? '', /init-local took 434 ms, \d+ ms more than its baseline \(median \d+ ms of 10 runs\); \d+ ms more is allowed/);
  });

  it('is pending, not passed or failed, with a baseline of too few runs, and without a history', async () => {
    await history(3, 0.5);
    // A halved baseline that would fail the boot, were three runs enough to hold it to.
    for (const result of [await run(), await run(false)]) {
      assert.equal(result.verdicts.get('timed [debian/bookworm]')?.verdict, 'passed');
      assert.match(await junitOf(result.runDir), /<testsuites [^>]*skipped="1"/);
    }
  });
});
