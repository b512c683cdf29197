import assert from 'node:assert/strict';
import { HarnessError } from '../../../core/errors.js';
import { compareSamples } from './compare-samples.js';
import { seededRandom } from './seeded-random.js';

/** `count` boot times around `centreMs` with ±`noiseMs` of uniform noise. */
function boots(count: number, random: () => number, centreMs: number, noiseMs = 30): number[] {
  return Array.from({ length: count }, () => centreMs + (random() - 0.5) * 2 * noiseMs);
}

/** `count` boot times spread evenly over ±`noiseMs` around `centreMs`: noise without luck. */
function evenBoots(count: number, centreMs: number, noiseMs = 30): number[] {
  return Array.from({ length: count }, (_, i) => centreMs + 2 * noiseMs * ((i + 0.5) / count - 0.5));
}

describe('compareSamples', () => {
  it('calls a 0.2 s slowdown in 6 noisy boots a side SLOWER, with p < 0.01 and the effect in ms and %', () => {
    const random = seededRandom(1);
    const baseline = boots(6, random, 2000);
    const candidate = boots(6, random, 2200);
    const comparison = compareSamples(baseline, candidate);
    assert.equal(comparison.verdict, 'SLOWER');
    assert.ok(comparison.pValue < 0.01, `p = ${comparison.pValue}`);
    // Six boots a side that do not overlap: both exact tests give 2 / C(12, 6).
    assert.ok(Math.abs(comparison.mannWhitney.pValue - 2 / 924) < 1e-12);
    assert.ok(Math.abs(comparison.kolmogorovSmirnov.pValue - 2 / 924) < 1e-12);
    assert.ok(Math.abs(comparison.effectMs - 200) < 30, `effect ${comparison.effectMs} ms`);
    assert.ok(Math.abs(comparison.effectPercent! - 10) < 1.5, `effect ${comparison.effectPercent} %`);
    assert.deepEqual(comparison.samples, { baseline: 6, candidate: 6 });
    assert.equal(compareSamples(candidate, baseline).verdict, 'FASTER');
  });

  it('raises no SLOWER or FASTER in ten A/A comparisons of boots from one distribution, and mostly says SAME', () => {
    const random = seededRandom(2);
    const verdicts = Array.from({ length: 10 }, () => compareSamples(boots(6, random, 2000), boots(6, random, 2000)).verdict);
    assert.deepEqual(verdicts.filter((verdict) => verdict === 'SLOWER' || verdict === 'FASTER'), []);
    assert.ok(verdicts.filter((verdict) => verdict === 'SAME').length >= 8, verdicts.join(' '));
  });

  it('says UNKNOWN when there are too few boots for any difference to reach the significance level', () => {
    // 3 against 3 boots can show p = 0.1 at the least, however far apart they are.
    const three = compareSamples([2000, 2001, 2002], [4000, 4001, 4002]);
    assert.equal(three.verdict, 'UNKNOWN');
    assert.match(three.reason, /the least they can show is 0\.10\): more boots are needed/);
    assert.equal(compareSamples([2000], [4000]).verdict, 'UNKNOWN');
    // 4 against 4 can show 2/70 = 0.029: enough at 0.05, not at 0.01.
    const four = { baseline: [2000, 2001, 2002, 2003], candidate: [4000, 4001, 4002, 4003] };
    assert.equal(compareSamples(four.baseline, four.candidate).verdict, 'UNKNOWN');
    assert.equal(compareSamples(four.baseline, four.candidate, { significanceLevel: 0.05 }).verdict, 'SLOWER');
  });

  it('calls a significant difference below the minimum effect SAME, and SLOWER once the minimum allows it', () => {
    const random = seededRandom(3);
    const baseline = boots(10, random, 2000, 1);
    const candidate = boots(10, random, 2005, 1);
    const tiny = compareSamples(baseline, candidate);
    assert.ok(tiny.pValue < 0.001, `p = ${tiny.pValue}`);
    assert.equal(tiny.verdict, 'SAME');
    assert.equal(compareSamples(baseline, candidate, { minEffectMs: 2, minEffectPercent: 0.1 }).verdict, 'SLOWER');
    // 5 ms clears a 2 ms minimum but not 1 % of 2 s: both minimums must be met.
    assert.equal(compareSamples(baseline, candidate, { minEffectMs: 2 }).verdict, 'SAME');
  });

  it('asks for more boots while the evidence is between the two thresholds, and decides once it has them', () => {
    // A 20 ms slowdown (the minimum effect) in ±30 ms of noise: 6 boots a side cannot tell, 20 can.
    const few = compareSamples(evenBoots(6, 2000), evenBoots(6, 2020));
    assert.equal(few.verdict, 'UNKNOWN', few.reason);
    assert.ok(few.pValue > 0.01 && few.pValue <= few.thresholds.sameAbove);
    const many = compareSamples(evenBoots(20, 2000), evenBoots(20, 2020));
    assert.equal(many.verdict, 'SLOWER', many.reason);
    // The same boots without the slowdown are SAME: their p-value is above the threshold.
    assert.equal(compareSamples(evenBoots(6, 2000), evenBoots(6, 2000)).verdict, 'SAME');
  });

  it('lowers the threshold above which it says SAME as boots are added, so that UNKNOWN cannot last', () => {
    const sameAbove = (count: number) => compareSamples(evenBoots(count, 2000), evenBoots(count, 2000)).thresholds.sameAbove;
    const thresholds = [6, 10, 20, 40].map(sameAbove);
    for (let i = 1; i < thresholds.length; i++) assert.ok(thresholds[i]! < thresholds[i - 1]!, thresholds.join(' > '));
    assert.ok(thresholds.at(-1)! < 0.01);
  });

  it("takes the smaller of the two tests' p-values: Mann–Whitney misses a change in spread, KS does not", () => {
    // The second example in Pinpoint's compare.py: the same median, the candidate spread wider.
    const baseline = Array.from({ length: 20 }, (_, i) => 1010 + i);
    const candidate = [...Array.from({ length: 10 }, (_, i) => 1000 + i), ...Array.from({ length: 10 }, (_, i) => 1030 + i)];
    const comparison = compareSamples(baseline, candidate);
    assert.ok(comparison.mannWhitney.pValue > 0.9, `MWU p = ${comparison.mannWhitney.pValue}`);
    assert.equal(comparison.pValue, comparison.kolmogorovSmirnov.pValue);
    assert.ok(comparison.pValue < 0.02, `p = ${comparison.pValue}`);
  });

  it('refuses bad options and boots without a timing', () => {
    assert.throws(() => compareSamples([1, 2], [3, 4], { significanceLevel: 0 }), HarnessError);
    assert.throws(() => compareSamples([1, 2], [3, 4], { minEffectMs: -1 }), HarnessError);
    assert.throws(() => compareSamples([1, Number.NaN], [3, 4]), HarnessError);
    assert.throws(() => compareSamples([], [3, 4]), HarnessError);
  });
});
