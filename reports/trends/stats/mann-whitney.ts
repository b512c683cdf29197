import { errorFunction, wilcoxonRankSum } from 'simple-statistics';
import { HarnessError } from '../../../core/errors.js';
import { requireSample } from './sample-input.js';

/**
 * `exact`: the null distribution of U counted over every ordering of the pooled values (only
 * valid without ties). `normal`: the normal approximation with the tie correction of the
 * variance and a continuity correction of 1/2.
 */
export type MannWhitneyMethod = 'exact' | 'normal';

export interface MannWhitneyResult {
  /** U of the first sample: the number of (x, y) pairs with x > y, ties counting 1/2. */
  u: number;
  /** Two-sided: the two samples come from different distributions. */
  pValue: number;
  /** One-sided: x is stochastically greater than y (x's values tend to be larger). */
  pGreater: number;
  /** One-sided: x is stochastically less than y. */
  pLess: number;
  method: MannWhitneyMethod;
}

export interface MannWhitneyOptions {
  /** `auto` (the default) counts exactly when there are no ties and the samples are small. */
  method?: MannWhitneyMethod | 'auto';
}

/**
 * Beyond this many (x, y) pairs (20 boots a side) the exact count costs milliseconds per call,
 * and a comparison makes one per stage and module; the normal approximation is already good
 * to the third decimal there.
 */
const EXACT_MAX_PAIRS = 400;

export function mannWhitneyU(x: readonly number[], y: readonly number[], options: MannWhitneyOptions = {}): MannWhitneyResult {
  requireSample('The Mann–Whitney U test', x);
  requireSample('The Mann–Whitney U test', y);
  const n = x.length;
  const m = y.length;
  const u = wilcoxonRankSum([...x], [...y]) - (n * (n + 1)) / 2;
  const tieGroups = tieGroupSizes([...x, ...y]);
  const hasTies = tieGroups.some((size) => size > 1);
  const method = options.method ?? 'auto';
  if (method === 'exact' && hasTies) {
    throw new HarnessError('INTERNAL', 'The exact Mann–Whitney distribution does not hold for samples with tied values', {
      hint: "use method 'normal' or 'auto', which correct the normal approximation for ties",
    });
  }
  const exact = method === 'exact' || (method === 'auto' && !hasTies && n * m <= EXACT_MAX_PAIRS);
  return exact ? { u, ...exactPValues(u, n, m), method: 'exact' } : { u, ...normalPValues(u, n, m, tieGroups), method: 'normal' };
}

function tieGroupSizes(values: number[]): number[] {
  const sorted = values.sort((a, b) => a - b);
  const sizes: number[] = [];
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) run += 1;
    else {
      sizes.push(run);
      run = 1;
    }
  }
  return sizes;
}

function exactPValues(u: number, n: number, m: number): Pick<MannWhitneyResult, 'pValue' | 'pGreater' | 'pLess'> {
  const probabilities = exactDistribution(n, m);
  let atMost = 0;
  let atLeast = 0;
  probabilities.forEach((probability, value) => {
    if (value <= u) atMost += probability;
    if (value >= u) atLeast += probability;
  });
  return { pValue: Math.min(1, 2 * Math.min(atMost, atLeast)), pGreater: Math.min(1, atLeast), pLess: Math.min(1, atMost) };
}

/**
 * P(U = u) for samples of n and m values without ties, by the recurrence on the largest pooled
 * value: it is an x with probability n/(n+m), and then beats all m y's, or a y with
 * probability m/(n+m). Probabilities rather than counts, so that nothing overflows.
 */
export function exactDistribution(n: number, m: number): number[] {
  // previous[j] and current[j] hold the distribution for (i - 1, j) and (i, j) values.
  let previous: number[][] = Array.from({ length: m + 1 }, () => [1]);
  for (let i = 1; i <= n; i++) {
    const current: number[][] = [[1]];
    for (let j = 1; j <= m; j++) {
      const distribution = new Array<number>(i * j + 1).fill(0);
      const xIsLargest = previous[j]!;
      const yIsLargest = current[j - 1]!;
      xIsLargest.forEach((probability, value) => {
        distribution[value + j]! += (probability * i) / (i + j);
      });
      yIsLargest.forEach((probability, value) => {
        distribution[value]! += (probability * j) / (i + j);
      });
      current.push(distribution);
    }
    previous = current;
  }
  return previous[m]!;
}

function normalPValues(u: number, n: number, m: number, tieGroups: number[]): Pick<MannWhitneyResult, 'pValue' | 'pGreater' | 'pLess'> {
  const total = n + m;
  const tieTerm = tieGroups.reduce((sum, size) => sum + size ** 3 - size, 0);
  const variance = ((n * m) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  // Every value tied: U is fixed whatever the samples, so nothing can be told apart.
  if (!(variance > 0)) return { pValue: 1, pGreater: 1, pLess: 1 };
  const sd = Math.sqrt(variance);
  const mean = (n * m) / 2;
  const upperTail = (z: number) => (1 - errorFunction(z / Math.SQRT2)) / 2;
  const larger = Math.max(u, n * m - u);
  return {
    pValue: Math.min(1, 2 * upperTail((larger - mean - 0.5) / sd)),
    pGreater: upperTail((u - mean - 0.5) / sd),
    pLess: upperTail((mean - u - 0.5) / sd),
  };
}
