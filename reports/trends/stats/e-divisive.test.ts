import assert from 'node:assert/strict';
import { HarnessError } from '../../../core/errors.js';
import { eDivisive } from './e-divisive.js';
import { seededRandom } from './seeded-random.js';

/** Boot times around `level(i)` ms with ±30 ms of uniform noise, the same for the same seed. */
function noisySeries(length: number, seed: number, level: (index: number) => number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length }, (_, index) => level(index) + (random() - 0.5) * 60);
}

describe('eDivisive', () => {
  it('finds a 200 ms step at index 20 of a 30-point noisy series, with p < 0.05 and the size of the step', () => {
    const changePoints = eDivisive(noisySeries(30, 1, (index) => 1000 + (index >= 20 ? 200 : 0)));
    assert.equal(changePoints.length, 1);
    const [step] = changePoints;
    assert.equal(step!.index, 20);
    assert.ok(step!.pValue < 0.05, `p = ${step!.pValue}`);
    assert.ok(Math.abs(step!.step - 200) < 30, `step = ${step!.step}`);
    assert.ok(Math.abs(step!.before - 1000) < 30 && Math.abs(step!.after - 1200) < 30);
  });

  it('finds no change point in flat noisy series', () => {
    // At a 0.05 level about one truly flat series in twenty is flagged, by design; these five
    // are fixed draws, so the test is deterministic, and a detector that splits noise fails it.
    for (const seed of [1, 2, 3, 4, 5]) assert.deepEqual(eDivisive(noisySeries(30, seed, () => 1000)), [], `seed ${seed}`);
  });

  it('finds both steps of a series that goes up and then partly back', () => {
    const series = noisySeries(45, 3, (index) => 1000 + (index >= 15 ? 200 : 0) - (index >= 30 ? 150 : 0));
    const changePoints = eDivisive(series);
    assert.deepEqual(changePoints.map((point) => point.index), [15, 30]);
    for (const point of changePoints) assert.ok(point.pValue < 0.05);
    assert.ok(changePoints[0]!.step > 150 && changePoints[1]!.step < -100);
  });

  it('computes the energy statistic of Matteson & James, and the smallest p the permutations allow', () => {
    // Ten 0s then ten 10s, alpha 1: the between-sample term is 2·(10·10·10)/(10·10) = 20, both
    // within-sample terms are 0, and the factor 10·10/20 = 5 gives q̂ = 100. No shuffle of 199
    // reaches it, so p = 1/200.
    const [split] = eDivisive([...new Array<number>(10).fill(0), ...new Array<number>(10).fill(10)], { minSegmentSize: 2 });
    assert.equal(split!.index, 10);
    assert.ok(Math.abs(split!.statistic - 100) < 1e-9, `q̂ = ${split!.statistic}`);
    assert.equal(split!.pValue, 1 / 200);
    assert.equal(eDivisive([...new Array<number>(10).fill(0), ...new Array<number>(10).fill(10)], { minSegmentSize: 2, permutations: 99 })[0]!.pValue, 1 / 100);
  });

  it('keeps every segment at least the minimum size', () => {
    // A step 3 points from the end: segments of 5 put it at 25, the nearest split they allow.
    const series = noisySeries(30, 2, (index) => 1000 + (index >= 27 ? 300 : 0));
    assert.deepEqual(eDivisive(series).map((point) => point.index), [25]);
    assert.deepEqual(eDivisive(series, { minSegmentSize: 3 }).map((point) => point.index), [27]);
  });

  it('gives the same answer for the same series every time, even where the shuffles decide it', () => {
    // A borderline series: whether index 15 is a change point depends on the shuffles drawn
    // (seed 1 says yes, seed 2 no), so unseeded shuffles would not give one answer five times.
    const series = noisySeries(40, 11, (index) => 1000 + (index >= 22 ? 15 : 0));
    assert.notDeepEqual(eDivisive(series, { seed: 1 }), eDivisive(series, { seed: 2 }));
    const first = eDivisive(series);
    for (let again = 0; again < 5; again++) assert.deepEqual(eDivisive([...series]), first);
  });

  it('refuses options it cannot honour', () => {
    assert.throws(() => eDivisive([1, 2, 3], { alpha: 2 }), HarnessError);
    assert.throws(() => eDivisive([1, 2, 3], { minSegmentSize: 1 }), HarnessError);
    assert.throws(() => eDivisive([1, 2, 3], { permutations: 0 }), HarnessError);
    assert.throws(() => eDivisive([]), HarnessError);
  });
});
