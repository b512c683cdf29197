import { median, shuffle } from 'simple-statistics';
import { HarnessError } from '../../../core/errors.js';
import { requireSample } from './sample-input.js';
import { seededRandom } from './seeded-random.js';

export interface EDivisiveOptions {
  /** The exponent of the distances in the energy statistic, in (0, 2); 1 compares means and spread alike. */
  alpha?: number;
  /** A change point is kept when its permutation p-value is at most this. */
  significanceLevel?: number;
  /** How many shuffles the permutation test makes; the smallest p it can give is 1/(permutations + 1). */
  permutations?: number;
  /** The fewest points on either side of a change point. */
  minSegmentSize?: number;
  /** Seeds the shuffles: the same series and options always give the same change points. */
  seed?: number;
}

export interface ChangePoint {
  /** The index of the first value after the change. */
  index: number;
  /** The permutation test's p-value when this change point was accepted. */
  pValue: number;
  /** The energy statistic q̂ at this split, in the units of the series raised to alpha. */
  statistic: number;
  /** Medians of the values between this change point and its neighbours (or the series' ends). */
  before: number;
  after: number;
  /** after − before. */
  step: number;
}

const DEFAULTS = {
  alpha: 1,
  significanceLevel: 0.05,
  permutations: 199,
  // A step in boot time has to hold for several runs before it is news: one slow run is noise.
  minSegmentSize: 5,
  seed: 0x5eed,
} as const;

interface Segment {
  start: number;
  /** |v_i − v_k|^α at [i · length + k]. */
  matrix: Float64Array;
  /** The sum over every pair: the same however the segment is shuffled. */
  allPairs: number;
  /** 0 … length − 1: the segment's points as they are in the series. */
  inOrder: number[];
}

interface Split {
  /** Where the split is, in the whole series. */
  index: number;
  statistic: number;
}

/**
 * E-Divisive means (Matteson & James 2014, "A Nonparametric Approach for Multiple Change Point
 * Analysis of Multivariate Data"), as MongoDB's signal-processing-algorithms and Apache Otava
 * run it over performance histories: split the segment whose best split has the largest energy
 * statistic, keep the split when shuffling within every segment rarely does as well, repeat.
 * It holds a segment's pairwise distances in memory (8·T² bytes: 8 MB for 1,000 runs) and
 * each accepted change point costs up to `permutations` passes over them.
 */
export function eDivisive(series: readonly number[], options: EDivisiveOptions = {}): ChangePoint[] {
  const settings = { ...DEFAULTS, ...options };
  validate(series, settings);
  const random = seededRandom(settings.seed);
  const accepted: Array<{ index: number; pValue: number; statistic: number }> = [];
  for (;;) {
    const segments = boundaries(series.length, accepted.map((point) => point.index)).map(([start, end]) =>
      segmentOf(series.slice(start, end), start, settings.alpha),
    );
    const candidate = bestOf(segments.map((segment) => bestSplit(segment, segment.inOrder, settings.minSegmentSize)));
    if (candidate === undefined) break;
    const pValue = permutationPValue(segments, candidate.statistic, settings, random);
    if (pValue > settings.significanceLevel) break;
    accepted.push({ ...candidate, pValue });
  }
  accepted.sort((a, b) => a.index - b.index);
  return accepted.map((point, i) => {
    const before = median(series.slice(accepted[i - 1]?.index ?? 0, point.index));
    const after = median(series.slice(point.index, accepted[i + 1]?.index ?? series.length));
    return { ...point, before, after, step: after - before };
  });
}

function validate(series: readonly number[], settings: Required<EDivisiveOptions>): void {
  requireSample('E-Divisive change-point detection', series);
  const problems = [
    !(settings.alpha > 0 && settings.alpha < 2) && `alpha must be in (0, 2), not ${settings.alpha}`,
    !(settings.significanceLevel > 0 && settings.significanceLevel < 1) && `the significance level must be in (0, 1), not ${settings.significanceLevel}`,
    !(Number.isInteger(settings.permutations) && settings.permutations >= 1) && `permutations must be a positive integer, not ${settings.permutations}`,
    // Two points per segment at least: the statistic averages over pairs within each side.
    !(Number.isInteger(settings.minSegmentSize) && settings.minSegmentSize >= 2) && `the minimum segment size must be an integer of at least 2, not ${settings.minSegmentSize}`,
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0) {
    throw new HarnessError('INTERNAL', `E-Divisive was given bad options: ${problems.join('; ')}`, {
      hint: 'leave the options out for the defaults (alpha 1, significance 0.05, 199 permutations, segments of 5)',
    });
  }
}

function boundaries(length: number, changePoints: number[]): Array<[number, number]> {
  const cuts = [0, ...[...changePoints].sort((a, b) => a - b), length];
  return cuts.slice(1).map((end, i) => [cuts[i]!, end]);
}

function bestOf(splits: Array<Split | undefined>): Split | undefined {
  let best: Split | undefined;
  for (const split of splits) if (split !== undefined && (best === undefined || split.statistic > best.statistic)) best = split;
  return best;
}

/** |v_i − v_k|^α for every pair of one segment, computed once and looked up by every shuffle. */
function segmentOf(values: readonly number[], start: number, alpha: number): Segment {
  const length = values.length;
  const matrix = new Float64Array(length * length);
  let allPairs = 0;
  for (let i = 0; i < length; i++) {
    for (let k = i + 1; k < length; k++) {
      const distance = Math.abs(values[i]! - values[k]!) ** alpha;
      matrix[i * length + k] = distance;
      matrix[k * length + i] = distance;
      allPairs += distance;
    }
  }
  return { start, matrix, allPairs, inOrder: Array.from({ length }, (_, i) => i) };
}

/**
 * The split of one segment, its points taken in the given order, with the largest
 * q̂ = (τ(T−τ)/T)·(2/(τ(T−τ))·Σ|x−y|^α − Σ_{i<k}|x_i−x_k|^α / C(τ,2) − Σ_{i<k}|y_i−y_k|^α / C(T−τ,2)).
 * The three sums are updated as one point at a time moves from the right side to the left,
 * so a segment costs O(T²), not O(T³); every shuffle of a long history pays it again.
 */
function bestSplit(segment: Segment, order: readonly number[], minSegmentSize: number): Split | undefined {
  const { matrix, allPairs } = segment;
  const length = order.length;
  if (length < 2 * minSegmentSize) return undefined;
  let withinLeft = 0;
  let withinRight = allPairs;
  let between = 0;
  let best: Split | undefined;
  for (let left = 1; left <= length - minSegmentSize; left++) {
    const moving = left - 1;
    const row = order[moving]! * length;
    let toLeft = 0;
    let toRight = 0;
    for (let i = 0; i < moving; i++) toLeft += matrix[row + order[i]!]!;
    for (let k = moving + 1; k < length; k++) toRight += matrix[row + order[k]!]!;
    withinLeft += toLeft;
    withinRight -= toRight;
    between += toRight - toLeft;
    if (left < minSegmentSize) continue;
    const right = length - left;
    const statistic =
      ((left * right) / length) *
      ((2 * between) / (left * right) - withinLeft / ((left * (left - 1)) / 2) - withinRight / ((right * (right - 1)) / 2));
    if (best === undefined || statistic > best.statistic) best = { index: segment.start + left, statistic };
  }
  return best;
}

/**
 * (1 + shuffles whose best split is at least as strong) / (1 + shuffles), each shuffle
 * permuting every segment on its own, as Matteson & James do. It stops shuffling once the
 * answer can no longer be significant: most candidates in a flat history fail fast.
 */
function permutationPValue(segments: Segment[], observed: number, settings: Required<EDivisiveOptions>, random: () => number): number {
  let atLeastAsStrong = 0;
  for (let shuffleCount = 1; shuffleCount <= settings.permutations; shuffleCount++) {
    const strongest = bestOf(
      segments.map((segment) => bestSplit(segment, shuffle(segment.inOrder, random), settings.minSegmentSize)),
    );
    if (strongest !== undefined && strongest.statistic >= observed) atLeastAsStrong += 1;
    if ((atLeastAsStrong + 1) / (settings.permutations + 1) > settings.significanceLevel) break;
  }
  return (atLeastAsStrong + 1) / (settings.permutations + 1);
}
