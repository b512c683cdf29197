import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CELL_ERRORS, EXIT_FAILED_CASES, EXIT_INTERRUPTED, HarnessError } from '../core/errors.js';
import { LABEL_CASE } from '../core/run-id.js';
import { formatRepeatSummary, repeatExitCode } from '../harness/cli/repeat-summary.js';
import { compareHarvests } from '../harness/repeat/compare-harvests.js';
import { maskNoise } from '../harness/repeat/mask-noise.js';
import { repeatRuns, type RepeatResult } from '../harness/repeat/repeat-runs.js';
import { silentObserver } from '../harness/run/observer.js';
import type { RunOptions, RunResult } from '../harness/run/run-loop.js';
import type { FakeBehaviour } from '../platforms/fake/behaviour.js';
import { FakePlatform } from '../platforms/fake/platform.js';
import type { LaunchSpec } from '../platforms/types.js';
import type { RepeatReport } from '../results-schema/repeat.js';
import { runOn } from './run-on.js';

const BASIC_WITHOUT_REBOOT = { grep: /^(marker|quiet)$/, tags: [], excludeTags: [] };

describe('harness run --repeat (fake platform)', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-repeat-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** The marker case prints `hi` on odd launches and `bye` on even ones: it passes, fails, passes… */
  const alternatingMarker = (): FakePlatform => {
    let markerLaunches = 0;
    const behaviourOf = (spec: LaunchSpec): FakeBehaviour => {
      if (spec.labels[LABEL_CASE] !== 'marker') return {};
      markerLaunches += 1;
      return { outputs: { marker: markerLaunches % 2 === 1 ? 'hi\n' : 'bye\n' } };
    };
    return new FakePlatform({ behaviourOf, capabilities: ['out-of-band-exec'] });
  };
  const steadyMarker = (): FakePlatform => new FakePlatform({ behaviourOf: () => ({ outputs: { marker: 'hi\n' } }), capabilities: ['out-of-band-exec'] });

  const repeat = (platform: FakePlatform, times: number, overrides: Partial<RunOptions> & { signal?: AbortSignal } = {}) => {
    const signal = overrides.signal ?? new AbortController().signal;
    return repeatRuns({
      times,
      resultsDir: work,
      signal,
      runOnce: () => runOn(platform, work, { selection: BASIC_WITHOUT_REBOOT, ...overrides, signal }),
    });
  };

  it('names the case whose verdict changed, with each repetition, its failure and the harvested file that differs', async () => {
    const platform = alternatingMarker();
    const result = await repeat(platform, 3);

    assert.equal(result.results.length, 3);
    assert.equal(new Set(result.results.map((run) => run.runId)).size, 3, 'each repetition is a run of its own');
    const { changed } = result.report;
    assert.deepEqual(
      changed.map((cell) => `${cell.case} [${cell.image}]`),
      ['marker [debian/bookworm]'],
      'quiet passed every time and is not named',
    );
    const marker = changed[0]!;
    assert.deepEqual(marker.repetitions.map((entry) => entry.verdict), ['passed', 'failed', 'passed']);
    assert.deepEqual(marker.repetitions[1]?.failures.map((failure) => failure.test), ['wrote the marker']);
    assert.equal(marker.repetitions[1]?.dir, join(result.results[1]!.runId, 'marker', 'debian-bookworm'));
    assert.deepEqual(marker.differences, [
      { reference: 1, other: 2, files: [{ path: 'collectors/marker.out', kind: 'changed', referenceLine: 'hi', otherLine: 'bye' }] },
    ]);

    const written = JSON.parse(await readFile(result.reportPath, 'utf8')) as RepeatReport;
    assert.equal(result.reportPath, join(work, `repeat-${result.results[0]!.runId}.json`));
    assert.equal(written.schema, 1);
    assert.equal(written.asked, 3);
    assert.deepEqual(written.runs.map((run) => run.state), ['finished', 'finished', 'finished']);
    assert.equal(written.changed.length, 1);

    assert.equal(repeatExitCode(result), EXIT_FAILED_CASES);
    const summary = formatRepeatSummary(result);
    assert.match(summary, /^repeat 3: 2 cases × 1 image, 1 changed verdict$/m);
    assert.match(summary, /marker \[debian\/bookworm\]: passed, failed, passed/);
    assert.match(summary, /collectors\/marker\.out:\n {10}1: hi\n {10}2: bye/);
  });

  it('says 0 changed verdicts and exits 0 when every repetition judged alike', async () => {
    const result = await repeat(steadyMarker(), 2);
    assert.deepEqual(result.report.changed, []);
    assert.equal(repeatExitCode(result), 0);
    assert.match(formatRepeatSummary(result), /^repeat 2: 2 cases × 1 image, 0 changed verdicts$/m);
  });

  it('without a changed verdict, exits as a single run would for all repetitions together', async () => {
    const erring = new FakePlatform({ behaviourOf: (spec) => (spec.labels[LABEL_CASE] === 'quiet' ? { launchFails: true } : { outputs: { marker: 'hi\n' } }), capabilities: ['out-of-band-exec'] });
    const errors = await repeat(erring, 2);
    assert.deepEqual(errors.report.changed, []);
    assert.equal(repeatExitCode(errors), EXIT_CELL_ERRORS);
    assert.match(formatRepeatSummary(errors), /The same verdict in every repetition, but not a pass:\n {2}quiet \[debian\/bookworm\]: error ×2/);
  });

  it('starts no repetition after one that was interrupted, compares only the finished ones and exits 130', async () => {
    const platform = steadyMarker();
    const controller = new AbortController();
    let finishedCells = 0;
    const observer = { ...silentObserver, cellFinished: () => (finishedCells += 1) === 3 && controller.abort() };
    const result = await repeat(platform, 5, { signal: controller.signal, observer, concurrency: 1 });

    assert.equal(result.results.length, 2, 'the abort came in repetition 2');
    assert.equal(result.results[1]?.interrupted, true);
    assert.equal(result.interrupted, true);
    assert.equal(platform.callsOf('launch').length, 3, 'nothing launched after the abort');
    assert.deepEqual(result.report.runs.map((run) => run.state), ['finished', 'interrupted']);
    assert.deepEqual(result.report.changed, [], "repetition 2's cells that never ran are not a changed verdict");
    assert.equal(repeatExitCode(result), EXIT_INTERRUPTED);
    assert.match(formatRepeatSummary(result), /repeat 5 \(1 compared, of 2 run\)/);
  });

  it('starts no repetition once the signal is aborted between two', async () => {
    const controller = new AbortController();
    const runs: RunResult[] = [];
    const platform = steadyMarker();
    const result = await repeatRuns({
      times: 4,
      resultsDir: work,
      signal: controller.signal,
      runOnce: async () => {
        const run = await runOn(platform, work, { selection: BASIC_WITHOUT_REBOOT });
        runs.push(run);
        controller.abort();
        return run;
      },
    });
    assert.equal(runs.length, 1);
    assert.equal(result.interrupted, true);
    assert.equal(repeatExitCode(result), EXIT_INTERRUPTED);
  });

  it("throws the first repetition's error as a single run would, writing nothing", async () => {
    const platform = steadyMarker();
    await assert.rejects(
      repeat(platform, 3, { selection: { grep: /^no such case$/, tags: [], excludeTags: [] } }),
      (error: HarnessError) => error.code === 'USAGE',
    );
    assert.deepEqual(await readdir(work), []);
    assert.equal(platform.callsOf('launch').length, 0);
  });

  it('compares the repetitions before one that threw, and hands the error back', async () => {
    const platform = alternatingMarker();
    let repetitions = 0;
    const result = await repeatRuns({
      times: 5,
      resultsDir: work,
      signal: new AbortController().signal,
      runOnce: async () => {
        repetitions += 1;
        if (repetitions === 3) throw new HarnessError('PLATFORM_UNAVAILABLE', 'the platform went away');
        return runOn(platform, work, { selection: BASIC_WITHOUT_REBOOT });
      },
    });
    assert.equal(repetitions, 3, 'none after the one that threw');
    assert.equal((result.error as HarnessError).code, 'PLATFORM_UNAVAILABLE');
    assert.equal(result.report.runs.length, 2);
    assert.equal(result.report.changed.length, 1);
    assert.ok(existsSync(result.reportPath));
    assert.match(formatRepeatSummary(result), /stopped after repetition 2: .*the platform went away/);
  });
});

describe('harness run --repeat: comparing two harvests', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-harvests-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const cell = async (name: string, files: Record<string, string | Buffer>) => {
    const dir = join(work, name);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    return dir;
  };

  it('finds files only one side has, binary changes and the changes of earlier boots; leaves out stderr and the console', async () => {
    const a = await cell('a', {
      'collectors/x.out': 'same\n',
      'collectors/x.err': 'warning one\n',
      'console.log': 'boot 1\n',
      'files/etc/gone': 'here\n',
      'files/bin/blob': Buffer.from([0, 1, 2]),
      'boots/1/collectors/x.rc': '0\n',
    });
    const b = await cell('b', {
      'collectors/x.out': 'same\n',
      'collectors/x.err': 'warning two\n',
      'console.log': 'boot 2\n',
      'files/etc/new': 'there\n',
      'files/bin/blob': Buffer.from([0, 1, 3]),
      'boots/1/collectors/x.rc': '1\n',
    });
    const differences = await compareHarvests({ dir: a, names: {} }, { dir: b, names: {} });
    assert.deepEqual(differences, [
      { path: 'boots/1/collectors/x.rc', kind: 'changed', referenceLine: '0', otherLine: '1' },
      { path: 'files/bin/blob', kind: 'changed' },
      { path: 'files/etc/gone', kind: 'only-in-reference' },
      { path: 'files/etc/new', kind: 'only-in-other' },
    ]);
  });

  it("masks each repetition's own names and the noise of a boot, and nothing else", async () => {
    const log = (instance: string, time: string, extra: string) =>
      [
        `${time},430 - util.py[DEBUG]: Writing to /var/lib/cloud/instances/${instance}/sem/x - wb: [644] ${extra.length} bytes`,
        `${time},431 - cc_final_message.py[WARNING]: Cloud-init v. 22.4.2 finished at Wed, 02 Dec 2026 06:10:3${extra.length} +0000. Up 777.7${extra.length} seconds`,
        `hostname ${instance}, key SHA256:${'ab'.repeat(21)}${extra.slice(0, 1)} root@${instance}`,
        `written via /run/cloud-init/tmp${extra.padEnd(8, 'x')} at ${1796191825 + extra.length}.43 by <object at 0x7fd1e6ca86${extra.length}0>`,
        `boot ${'0'.repeat(8)}-1234-5678-9abc-${extra.padEnd(12, '0')}`,
        `final_message: uptime=18${extra.length}0.47 end`,
        `18${extra.length}0.47 - ${time} - v. 22.4.2`,
      ].join('\n');
    const a = maskNoise(log('cp-20261202-061013-2892-1-x', '2026-12-02 06:10:25', 'aa'), { 'cp-20261202-061013-2892-1-x': '<instance>', '20261202-061013-2892': '<run-id>' });
    const b = maskNoise(log('cp-20261202-061046-9607-1-x', '2026-12-02 06:11:02', 'bbb'), { 'cp-20261202-061046-9607-1-x': '<instance>', '20261202-061046-9607': '<run-id>' });
    assert.equal(a, b);
    assert.doesNotMatch(a, /DEBUG/);
    assert.notEqual(maskNoise('WARNING: disk full', {}), maskNoise('WARNING: disk fine', {}), 'a change that is not noise survives');
  });
});

describe('harness run --repeat: the exit code', () => {
  const result = (overrides: { interrupted?: boolean; changed?: number; summaries?: readonly Partial<Record<string, number>>[] }): RepeatResult => {
    const zero = { passed: 0, failed: 0, error: 0, skipped: 0, xfailed: 0, xpassed: 0 };
    const results = (overrides.summaries ?? [{}]).map((summary) => ({ manifest: { summary: { ...zero, ...summary } } }) as unknown as RunResult);
    const changed = Array.from({ length: overrides.changed ?? 0 }, () => ({ case: 'c', image: 'i', repetitions: [], differences: [] }));
    return { results, report: { changed } as unknown as RepeatReport, reportPath: 'repeat.json', interrupted: overrides.interrupted ?? false };
  };

  it('is 1 for a changed verdict alone, even when no repetition failed', () => {
    assert.equal(repeatExitCode(result({ changed: 1, summaries: [{ passed: 1 }, { error: 1 }] })), EXIT_FAILED_CASES);
  });

  it('is 1 for a failure in any repetition, which wins over an error in another', () => {
    assert.equal(repeatExitCode(result({ summaries: [{ error: 1 }, { xpassed: 1 }] })), EXIT_FAILED_CASES);
    assert.equal(repeatExitCode(result({ summaries: [{ error: 1 }, { failed: 1 }] })), EXIT_FAILED_CASES);
  });

  it('is 4 for errors without a failure, 0 for passes, skips and xfails, and 130 when interrupted', () => {
    assert.equal(repeatExitCode(result({ summaries: [{ passed: 1 }, { error: 1 }] })), EXIT_CELL_ERRORS);
    assert.equal(repeatExitCode(result({ summaries: [{ passed: 1, skipped: 1 }, { xfailed: 1 }] })), 0);
    assert.equal(repeatExitCode(result({ interrupted: true, changed: 1, summaries: [{ failed: 1 }] })), EXIT_INTERRUPTED);
  });
});
