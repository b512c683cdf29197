import assert from 'node:assert/strict';
import { HarnessError } from '../../../core/errors.js';
import { kolmogorovSmirnov, kolmogorovSurvival } from './kolmogorov-smirnov.js';

const close = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * P(D ≥ k/n) for two samples of n, by the closed form of Gnedenko & Korolyuk (1951):
 * 2 Σ_{j ≥ 1} (−1)^(j+1) C(2n, n − jk) / C(2n, n). Computed independently of the lattice count.
 */
function gnedenkoKorolyuk(n: number, k: number): number {
  const logChoose = (total: number, chosen: number) => {
    let sum = 0;
    for (let i = 1; i <= chosen; i++) sum += Math.log(total - chosen + i) - Math.log(i);
    return sum;
  };
  let p = 0;
  for (let j = 1; j * k <= n; j++) p += (j % 2 === 1 ? 2 : -2) * Math.exp(logChoose(2 * n, n - j * k) - logChoose(2 * n, n));
  return p;
}

describe('kolmogorovSmirnov', () => {
  it("matches R's ks.test(1:3, 4:6): D = 1, exact p = 0.1", () => {
    const result = kolmogorovSmirnov([1, 2, 3], [4, 5, 6]);
    assert.deepEqual({ d: result.d, method: result.method }, { d: 1, method: 'exact' });
    close(result.pValue, 0.1, 1e-12);
  });

  it('counts exactly what the Gnedenko–Korolyuk formula gives for equal samples', () => {
    for (const [n, k] of [[6, 6], [6, 4], [10, 5], [10, 3], [20, 5], [20, 10], [40, 9]] as const) {
      // Samples whose empirical distributions are exactly k/n apart: x = 0..n−1, y shifted by k.
      const result = kolmogorovSmirnov(range(0, n), range(k, n + k).map((value) => value - 0.5));
      close(result.d, k / n, 1e-12);
      close(result.pValue, gnedenkoKorolyuk(n, k), 1e-12);
    }
  });

  it('measures D on unequal samples and with ties', () => {
    // At 3, x's empirical distribution is at 1 and y's at 1/4: D = 3/4.
    assert.equal(kolmogorovSmirnov([1, 2, 3], [3, 4, 5, 6]).d, 3 / 4);
    assert.equal(kolmogorovSmirnov([1, 1, 2], [1, 2, 2]).d, 1 / 3);
    assert.equal(kolmogorovSmirnov([4, 5], [5, 4]).pValue, 1);
  });

  it("matches the asymptotic p-values in the comment of Chromium Pinpoint's compare.py", () => {
    // catapult dashboard/pinpoint/models/compare/compare.py: KS([0]*20, [0]*15+[1]*5) = 0.4973 and
    // KS(range(10, 30), range(10)+range(30, 40)) = 0.0082, from the Stephens-corrected asymptotic form.
    const discrete = kolmogorovSmirnov(new Array<number>(20).fill(0), [...new Array<number>(15).fill(0), 1, 1, 1, 1, 1], { method: 'asymptotic' });
    assert.equal(discrete.d, 0.25);
    close(discrete.pValue, 0.4973, 0.00005);
    const spread = kolmogorovSmirnov(range(10, 30), [...range(0, 10), ...range(30, 40)], { method: 'asymptotic' });
    assert.equal(spread.d, 0.5);
    close(spread.pValue, 0.0082, 0.00005);
  });

  it('uses the asymptotic form only for large samples', () => {
    assert.equal(kolmogorovSmirnov(range(0, 20), range(5, 25)).method, 'exact');
    assert.equal(kolmogorovSmirnov(range(0, 600), range(5, 605)).method, 'asymptotic');
  });

  it('refuses an empty sample', () => {
    assert.throws(() => kolmogorovSmirnov([1], []), HarnessError);
  });
});

describe('kolmogorovSurvival', () => {
  it("gives the published critical values of Kolmogorov's distribution", () => {
    // c(α) with Q(c(α)) = α, the table in Smirnov (1948) as reproduced on Wikipedia's
    // "Kolmogorov–Smirnov test" page; the table rounds c(α) to 3 decimals.
    const table: Array<[number, number]> = [[0.2, 1.073], [0.1, 1.224], [0.05, 1.358], [0.025, 1.48], [0.01, 1.628], [0.005, 1.731], [0.001, 1.949]];
    for (const [alpha, critical] of table) close(kolmogorovSurvival(critical), alpha, alpha * 0.01);
  });

  it("agrees below λ = 1 with Kolmogorov's alternating series 2 Σ (−1)^(k−1) exp(−2k²λ²), and is 1 at 0", () => {
    const alternating = (lambda: number) => {
      let sum = 0;
      for (let k = 1; k <= 200; k++) sum += (k % 2 === 1 ? 2 : -2) * Math.exp(-2 * k * k * lambda * lambda);
      return sum;
    };
    for (const lambda of [0.4, 0.6, 0.8, 0.95, 1 - 1e-9]) close(kolmogorovSurvival(lambda), alternating(lambda), 1e-9);
    assert.equal(kolmogorovSurvival(0), 1);
  });
});
