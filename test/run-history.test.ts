import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSummary } from '../harness/cli/summary.js';
import { evaluateAgain } from '../harness/evaluate/again.js';
import { FakePlatform } from '../platforms/fake/platform.js';
import { openSqliteHistory } from '../reports/trends/history/sqlite-store.js';
import type { RunManifest } from '../results-schema/run-manifest.js';
import { RUN_TRENDS_PAGE } from '../results-schema/layout.js';
import { runOn } from './run-on.js';

// What a real LXD harvest's collectors printed (test/fixtures/boot-times), given to every fake cell.
const HARVEST = join(import.meta.dirname, 'fixtures', 'boot-times', '20261203-081840-bd64', 'clean_boot', 'debian-bookworm', 'collectors');
const outputs = {
  marker: 'hi\n',
  'analyze-dump': readFileSync(join(HARVEST, 'analyze-dump.out'), 'utf8'),
  'systemd-times': readFileSync(join(HARVEST, 'systemd-times.out'), 'utf8'),
};

describe('a run records its boot times (fake platform)', () => {
  let results: string;
  beforeEach(async () => {
    results = await mkdtemp(join(tmpdir(), 'cloudproof-run-history-'));
  });
  afterEach(() => rm(results, { recursive: true, force: true }));

  const platform = () => new FakePlatform({ behaviourOf: () => ({ outputs }), capabilities: ['out-of-band-exec'] });

  it("puts every harvested cell's boot times in run.json and the history, and changes no verdict", async () => {
    const historyFile = join(results, 'history.sqlite');
    const withHistory = await runOn(platform(), results, { historyFile });
    const without = await runOn(platform(), results);
    assert.deepEqual(
      withHistory.manifest.cells.map((cell) => cell.verdict),
      without.manifest.cells.map((cell) => cell.verdict),
    );
    const written = JSON.parse(await readFile(join(withHistory.runDir, 'run.json'), 'utf8')) as RunManifest;
    const harvested = written.cells.filter((cell) => cell.state === 'harvested');
    assert.ok(harvested.length > 0);
    for (const cell of harvested) assert.equal(cell.bootTimes?.[0]?.cloudInitMs, 434 + 2299 + 355 + 286, cell.case);
    assert.equal(withHistory.warnings, undefined);

    const store = openSqliteHistory(historyFile);
    try {
      assert.deepEqual(
        (await store.listRuns()).map((run) => run.runId),
        [withHistory.runId],
      );
      const series = await store.series({ platform: 'fake', image: 'debian/bookworm', case: harvested[0]!.case, boot: 1, stage: 'init', module: 'set_hostname' });
      assert.equal(series.length, 1);
    } finally {
      await store.close();
    }
    // The run's own trends page, linked from its report; a run without a history has neither.
    const page = await readFile(join(withHistory.runDir, RUN_TRENDS_PAGE), 'utf8');
    for (const cell of harvested) assert.ok(page.includes(`fake debian/bookworm ${cell.case}: init:`), cell.case);
    assert.match(await readFile(join(withHistory.runDir, 'report.html'), 'utf8'), /<a href="trends\.html">Boot-time trends<\/a>/);
    assert.equal(existsSync(join(without.runDir, RUN_TRENDS_PAGE)), false);
    assert.doesNotMatch(await readFile(join(without.runDir, 'report.html'), 'utf8'), /trends\.html/);
  });

  it('`harness evaluate` fills them into a run.json written before they existed, with the same verdicts', async () => {
    const run = await runOn(platform(), results);
    const runFile = join(run.runDir, 'run.json');
    const old = JSON.parse(await readFile(runFile, 'utf8')) as RunManifest;
    writeFileSync(runFile, JSON.stringify({ ...old, cells: old.cells.map(({ bootTimes: _dropped, ...cell }) => cell) }));
    await evaluateAgain(run.runDir, { reporterOutput: 'none' });
    const judgedAgain = JSON.parse(await readFile(runFile, 'utf8')) as RunManifest;
    assert.ok(old.cells.some((cell) => cell.bootTimes !== undefined));
    assert.deepEqual(judgedAgain.cells, old.cells);
  });

  it('warns in its summary, and still passes, when the history cannot be opened', async () => {
    const notAFolder = join(results, 'file');
    writeFileSync(notAFolder, '');
    const result = await runOn(platform(), results, { historyFile: join(notAFolder, 'history.sqlite') });
    assert.equal(result.manifest.summary.error, 0);
    assert.deepEqual(
      result.warnings?.map((warning) => warning.split(': cannot open the history store')[0]),
      ['boot-time baselines not read from the history', 'boot times not recorded in the history'],
    );
    assert.match(formatSummary(result, result.reports), /Warnings:\n.*boot-time baselines not read.*\n.*boot times not recorded in the history/);
  });
});
