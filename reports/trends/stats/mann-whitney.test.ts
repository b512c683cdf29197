import assert from 'node:assert/strict';
import { HarnessError } from '../../../core/errors.js';
import { exactDistribution, mannWhitneyU } from './mann-whitney.js';

const close = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

/** The largest U whose lower tail is at most alpha/2: the two-tailed critical value of the tables. */
function criticalU(n: number, m: number, alpha: number): number {
  let cumulative = 0;
  let critical = -1;
  exactDistribution(n, m).forEach((probability, u) => {
    cumulative += probability;
    if (cumulative <= alpha / 2 + 1e-12) critical = u;
  });
  return critical;
}

describe('mannWhitneyU', () => {
  // scipy.stats.mannwhitneyu documentation, Examples (ages at diagnosis): U1 = 17, exact
  // two-sided p = 0.1111111111111111, asymptotic (continuity-corrected) p = 0.11134688653314041.
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];

  it("matches scipy's documented example with the exact distribution", () => {
    const result = mannWhitneyU(males, females);
    assert.equal(result.method, 'exact');
    assert.equal(result.u, 17);
    close(result.pValue, 0.1111111111111111, 1e-12);
    close(result.pGreater, 0.1111111111111111 / 2, 1e-12);
    // 1 - P(U >= 18): the other tail, which includes U = 17 itself (122/126).
    close(result.pLess, 122 / 126, 1e-12);
  });

  it("matches scipy's documented example with the continuity-corrected normal approximation", () => {
    const result = mannWhitneyU(males, females, { method: 'normal' });
    assert.equal(result.method, 'normal');
    close(result.pValue, 0.11134688653314041, 1e-6);
  });

  it('gives U for the first sample, so that swapping the samples gives n·m − U and swaps the one-sided p-values', () => {
    const forward = mannWhitneyU(males, females);
    const backward = mannWhitneyU(females, males);
    assert.equal(backward.u, 3);
    close(backward.pValue, forward.pValue, 1e-12);
    close(backward.pLess, forward.pGreater, 1e-12);
  });

  it("matches R's wilcox.test(c(1,2,3), c(4,5,6)): exact p = 0.1, and 0.08086 with exact=FALSE", () => {
    const exact = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    assert.equal(exact.u, 0);
    close(exact.pValue, 0.1, 1e-12);
    close(mannWhitneyU([1, 2, 3], [4, 5, 6], { method: 'normal' }).pValue, 0.08086, 1e-5);
  });

  it("corrects for ties: matches the one-sided 0.0097 in the comment of Chromium Pinpoint's compare.py", () => {
    // catapult dashboard/pinpoint/models/compare/compare.py: MWU([0]*20, [0]*15+[1]*5) = 0.0097.
    // Without the tie correction the same data give 0.090 (z = 1.34 instead of 2.34), so this pins it.
    const result = mannWhitneyU(new Array<number>(20).fill(0), [...new Array<number>(15).fill(0), 1, 1, 1, 1, 1]);
    assert.equal(result.method, 'normal');
    assert.equal(result.u, 150);
    close(result.pLess, 0.0097, 0.00005);
    close(result.pValue, 2 * result.pLess, 1e-12);
  });

  it('says p = 1 when every value is tied', () => {
    assert.deepEqual(mannWhitneyU([5, 5, 5], [5, 5]), { u: 3, pValue: 1, pGreater: 1, pLess: 1, method: 'normal' });
  });

  it('counts the exact distribution that the published critical-value tables are made from', () => {
    // Two-tailed critical values of U for equal samples, e.g. Siegel & Castellan, "Nonparametric
    // Statistics for the Behavioral Sciences" (1988), Table J, and Zar, "Biostatistical Analysis", Table B.11.
    const at05: Record<number, number> = { 5: 2, 6: 5, 7: 8, 8: 13, 9: 17, 10: 23, 11: 30, 12: 37, 20: 127 };
    const at01: Record<number, number> = { 5: 0, 6: 2, 7: 4, 8: 7, 9: 11, 10: 16, 20: 105 };
    for (const [n, critical] of Object.entries(at05)) assert.equal(criticalU(Number(n), Number(n), 0.05), critical, `n = ${n}, α = 0.05`);
    for (const [n, critical] of Object.entries(at01)) assert.equal(criticalU(Number(n), Number(n), 0.01), critical, `n = ${n}, α = 0.01`);
    assert.equal(criticalU(4, 8, 0.05), 4);
    assert.equal(criticalU(5, 10, 0.05), 8);
  });

  it('uses the exact distribution only without ties and for small samples', () => {
    assert.equal(mannWhitneyU([1, 2, 2], [3, 4]).method, 'normal');
    const many = Array.from({ length: 25 }, (_, i) => i);
    assert.equal(mannWhitneyU(many, many.map((value) => value + 0.5)).method, 'normal');
    assert.throws(() => mannWhitneyU([1, 2, 2], [3, 4], { method: 'exact' }), HarnessError);
  });

  it('refuses an empty sample and a value that is not a finite number', () => {
    assert.throws(() => mannWhitneyU([], [1]), (error: unknown) => error instanceof HarnessError && error.hint !== undefined);
    assert.throws(() => mannWhitneyU([1, Number.NaN], [2]), HarnessError);
  });
});
