import assert from 'node:assert/strict';
import { seededRandom } from './seeded-random.js';

describe('seededRandom', () => {
  it('gives the same sequence for the same seed and another one for another seed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 20 }, () => random());
    };
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
  });

  it('draws in [0, 1) and spreads evenly enough for a permutation test', () => {
    const random = seededRandom(7);
    const buckets = new Array<number>(10).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const value = random();
      assert.ok(value >= 0 && value < 1, `draw ${value} is outside [0, 1)`);
      buckets[Math.floor(value * 10)]! += 1;
    }
    // Each tenth expects 10,000 draws, with a standard deviation of about 95: 500 is over 5 of them.
    for (const count of buckets) assert.ok(Math.abs(count - draws / 10) < 500, `a tenth holds ${count} draws`);
  });
});
