import assert from 'node:assert/strict';
import { seededRandom } from '../../reports/trends/stats/seeded-random.js';
import type { RunManifest } from '../../results-schema/run-manifest.js';
import { recordedRun, replayed, SLOWED, STEP_AT_RUN } from '../../test/replayed-history.js';
import { compareBuilds, type Side } from './compare-builds.js';
import { compareTable } from './compare-table.js';
import { COMPARE_DEFAULTS } from '../cli/commands/compare.js';

// A real recorded boot replayed with jitter (test/replayed-history.ts): the candidate's with
// one modules-final module 0.2 s slower, or the same as the baseline's (A/A).
describe('compareBuilds: two builds interleaved, every series compared', () => {
  let recorded: RunManifest;
  before(async () => {
    recorded = await recordedRun();
  });
  const signal = new AbortController().signal;
  const sides = (candidateSlowed: boolean, seed: number) => {
    const random = seededRandom(seed);
    const order: Side[] = [];
    const runOnce = async (side: Side, round: number): Promise<RunManifest> => {
      order.push(side);
      const slowed = side === 'candidate' && candidateSlowed;
      return { ...replayed(recorded, slowed ? STEP_AT_RUN : 1, random), runId: `${side}-${round}` };
    };
    return { order, runOnce };
  };
  const verdictOf = (result: Awaited<ReturnType<typeof compareBuilds>>, stage: string, module: string | undefined) =>
    result.series.find((entry) => entry.key.stage === stage && entry.key.module === module)?.comparison;

  it('names the slowed module and its stage SLOWER with p < 0.01 from 6 boots a side, taking turns at booting first', async () => {
    const { order, runOnce } = sides(true, 7);
    const result = await compareBuilds({ boots: 6, maxBoots: 6, runOnce, compare: COMPARE_DEFAULTS, signal });
    assert.equal(result.boots, 6);
    assert.deepEqual(order.slice(0, 4), ['baseline', 'candidate', 'candidate', 'baseline']);
    for (const [stage, module] of [[SLOWED.stage, SLOWED.module], [SLOWED.stage, undefined]] as const) {
      const comparison = verdictOf(result, stage, module);
      assert.equal(comparison?.verdict, 'SLOWER', `${stage}/${module ?? ''}: ${comparison?.reason}`);
      assert.ok((comparison?.pValue ?? 1) < 0.01);
      assert.ok(Math.abs((comparison?.effectMs ?? 0) - 200) < 60, `effect ${comparison?.effectMs}`);
    }
    assert.equal(verdictOf(result, 'init-local', undefined)?.verdict === 'SLOWER', false);
    const table = compareTable(result);
    assert.ok(table.some((line) => /^clean_boot debian\/bookworm: modules-final\/scripts-user .* SLOWER +6\+6$/.test(line)), table.join('\n'));
  });

  it('over 100 comparisons of the model: the slowed module is SLOWER in every one, and at most 3 A/A comparisons name any series', async () => {
    let named = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const slowed = await compareBuilds({ boots: 6, maxBoots: 6, runOnce: sides(true, seed).runOnce, compare: COMPARE_DEFAULTS, signal });
      assert.equal(verdictOf(slowed, SLOWED.stage, SLOWED.module)?.verdict, 'SLOWER', `seed ${seed}`);
      const same = await compareBuilds({ boots: 6, maxBoots: 6, runOnce: sides(false, seed).runOnce, compare: COMPARE_DEFAULTS, signal });
      if (same.series.some((entry) => entry.comparison.verdict === 'SLOWER' || entry.comparison.verdict === 'FASTER')) named += 1;
    }
    assert.ok(named <= 3, `${named} of 100 A/A comparisons named a series`);
  });

  it('boots more while a series of cloud-init is UNKNOWN, up to the cap, and leaves out boots that did not pass', async () => {
    const random = seededRandom(3);
    let runs = 0;
    const result = await compareBuilds({
      boots: 2,
      maxBoots: 5,
      compare: COMPARE_DEFAULTS,
      signal,
      runOnce: async (side, round) => {
        runs += 1;
        const manifest = { ...replayed(recorded, side === 'candidate' ? STEP_AT_RUN : 1, random), runId: `${side}-${round}` };
        return round === 1 && side === 'baseline' ? { ...manifest, cells: manifest.cells.map((cell) => ({ ...cell, verdict: 'failed' as const })) } : manifest;
      },
    });
    assert.ok(result.boots > 2 && result.boots <= 5, `stopped after ${result.boots}`);
    assert.equal(runs, 2 * result.boots);
    assert.deepEqual(result.leftOut.map((entry) => `${entry.side} ${entry.runId} ${entry.verdict}`), ['baseline baseline-1 failed']);
    assert.equal(verdictOf(result, SLOWED.stage, SLOWED.module)?.samples.baseline, result.boots - 1);
  });

  it("boots a round's two at once when asked, after the first round, and records them in turn order", async () => {
    const { runOnce } = sides(true, 2);
    let running = 0;
    let most = 0;
    const counted = async (side: Side, round: number): Promise<RunManifest> => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, round === 1 ? 1 : 5));
      running -= 1;
      return runOnce(side, round);
    };
    const result = await compareBuilds({ boots: 4, maxBoots: 4, runOnce: counted, compare: COMPARE_DEFAULTS, pairsAtOnce: true, signal });
    assert.equal(most, 2);
    assert.deepEqual(result.runs.map((run) => `${run.round} ${run.side}`), ['1 baseline', '1 candidate', '2 candidate', '2 baseline', '3 baseline', '3 candidate', '4 candidate', '4 baseline']);
  });

  it("compares systemd's figures only when asked", async () => {
    const without = await compareBuilds({ boots: 3, maxBoots: 3, runOnce: sides(true, 4).runOnce, compare: COMPARE_DEFAULTS, signal });
    assert.deepEqual(without.series.filter((entry) => entry.key.stage.startsWith('systemd')), []);
    const withSystemd = await compareBuilds({ boots: 3, maxBoots: 3, runOnce: sides(true, 4).runOnce, compare: COMPARE_DEFAULTS, includeSystemd: true, signal });
    assert.ok(withSystemd.series.some((entry) => entry.key.stage === 'systemd'));
  });

  it('refuses fewer than two boots, and a cap below the boots', async () => {
    const { runOnce } = sides(false, 1);
    await assert.rejects(compareBuilds({ boots: 1, maxBoots: 6, runOnce, compare: {}, signal }), /boots must be/);
    await assert.rejects(compareBuilds({ boots: 6, maxBoots: 4, runOnce, compare: {}, signal }), /fewer than boots/);
  });
});
