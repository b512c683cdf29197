import { interquartileRange, median, probit } from 'simple-statistics';
import { HarnessError } from '../../../core/errors.js';
import { formatEffect } from '../effect-format.js';
import { kolmogorovSmirnov, type KolmogorovSmirnovResult } from './kolmogorov-smirnov.js';
import { mannWhitneyU, type MannWhitneyResult } from './mann-whitney.js';
import { requireSample } from './sample-input.js';

/** SLOWER and FASTER are the candidate's, against the baseline; UNKNOWN asks for more boots. */
export type Verdict = 'SAME' | 'SLOWER' | 'FASTER' | 'UNKNOWN';

export interface CompareOptions {
  /** A difference is significant at p ≤ this (Pinpoint's low threshold). Default 0.01. */
  significanceLevel?: number;
  /** A significant difference of the medians smaller than this is still SAME. Default 20 ms. */
  minEffectMs?: number;
  /** … or smaller than this share of the baseline's median. Default 1 %. */
  minEffectPercent?: number;
}

export interface Comparison {
  verdict: Verdict;
  /** One line for a person: why this verdict. */
  reason: string;
  /** The smaller of the two tests' two-sided p-values, which the verdict is taken from. */
  pValue: number;
  /** With the candidate as the first sample: its `pGreater` is the one-sided p of "slower". */
  mannWhitney: MannWhitneyResult;
  kolmogorovSmirnov: KolmogorovSmirnovResult;
  /** median(candidate) − median(baseline): positive is slower. */
  effectMs: number;
  /** effectMs as a share of the baseline's median; null when that median is 0. */
  effectPercent: number | null;
  baselineMedianMs: number;
  candidateMedianMs: number;
  samples: { baseline: number; candidate: number };
  thresholds: {
    significanceLevel: number;
    /**
     * Above this p-value the verdict is SAME: it is the p-value samples of these sizes and this
     * noise would typically show if the candidate differed by exactly the minimum effect.
     * Between the significance level and this, the verdict is UNKNOWN.
     */
    sameAbove: number;
    minEffectMs: number;
    minEffectPercent: number;
  };
}

const DEFAULTS = { significanceLevel: 0.01, minEffectMs: 20, minEffectPercent: 1 } as const;

/** A normal distribution's interquartile range in standard deviations: 2 · Φ⁻¹(0.75). */
const IQR_PER_SD = 2 * probit(0.75);

/**
 * Modelled on Chromium Pinpoint's compare (catapult, dashboard/pinpoint/models/compare): the
 * smaller of the Mann–Whitney and Kolmogorov–Smirnov p-values, since MWU misses a change in
 * spread and KS is weak on discrete values; a significance level below which the samples
 * differ, and above it a second threshold, falling as the samples grow, above which they are
 * the same and between which more boots are needed. Pinpoint reads that second threshold from
 * simulated tables; here it is computed for the samples at hand from their own noise and the
 * minimum effect. A difference smaller than the minimum effect is SAME however significant.
 */
export function compareSamples(baseline: readonly number[], candidate: readonly number[], options: CompareOptions = {}): Comparison {
  const settings = { ...DEFAULTS, ...options };
  validate(settings);
  requireSample('Comparing boot times', baseline);
  requireSample('Comparing boot times', candidate);
  const mannWhitney = mannWhitneyU(candidate, baseline);
  const ks = kolmogorovSmirnov(candidate, baseline);
  const pValue = Math.min(mannWhitney.pValue, ks.pValue);
  const baselineMedianMs = median(baseline);
  const candidateMedianMs = median(candidate);
  const effectMs = candidateMedianMs - baselineMedianMs;
  const effectPercent = baselineMedianMs === 0 ? null : (effectMs / baselineMedianMs) * 100;
  const minimumShift = Math.max(settings.minEffectMs, (settings.minEffectPercent / 100) * Math.abs(baselineMedianMs));
  const sameAbove = typicalPValueAtShift(baseline, candidate, { baseline: baselineMedianMs, candidate: candidateMedianMs }, minimumShift);
  const facts = {
    pValue,
    mannWhitney,
    kolmogorovSmirnov: ks,
    effectMs,
    effectPercent,
    baselineMedianMs,
    candidateMedianMs,
    samples: { baseline: baseline.length, candidate: candidate.length },
    thresholds: { ...settings, sameAbove },
  };
  const alpha = settings.significanceLevel;
  const effect = formatEffect(effectMs, effectPercent);
  const best = smallestPossiblePValue(baseline.length, candidate.length);
  if (best > alpha) {
    return {
      verdict: 'UNKNOWN',
      reason: `${baseline.length} and ${candidate.length} boots cannot show p ≤ ${alpha} (the least they can show is ${best.toPrecision(2)}): more boots are needed`,
      ...facts,
    };
  }
  if (pValue <= alpha) {
    const bigEnough = Math.abs(effectMs) >= settings.minEffectMs && (effectPercent === null || Math.abs(effectPercent) >= settings.minEffectPercent);
    if (!bigEnough) {
      return {
        verdict: 'SAME',
        reason: `a significant difference (p = ${pValue.toPrecision(2)}) of ${effect}, below the minimum effect of ${settings.minEffectMs} ms and ${settings.minEffectPercent} %`,
        ...facts,
      };
    }
    return { verdict: effectMs > 0 ? 'SLOWER' : 'FASTER', reason: `${effect}, p = ${pValue.toPrecision(2)} ≤ ${alpha}`, ...facts };
  }
  if (pValue > sameAbove) {
    return { verdict: 'SAME', reason: `p = ${pValue.toPrecision(2)}: a difference of the minimum effect would typically show p ≤ ${sameAbove.toPrecision(2)}`, ...facts };
  }
  return {
    verdict: 'UNKNOWN',
    reason: `p = ${pValue.toPrecision(2)} is between ${alpha} and ${sameAbove.toPrecision(2)}: more boots are needed to tell`,
    ...facts,
  };
}

function validate(settings: Required<CompareOptions>): void {
  const problems = [
    !(settings.significanceLevel > 0 && settings.significanceLevel < 1) && `the significance level must be in (0, 1), not ${settings.significanceLevel}`,
    !(settings.minEffectMs >= 0) && `the minimum effect must be at least 0 ms, not ${settings.minEffectMs}`,
    !(settings.minEffectPercent >= 0) && `the minimum effect must be at least 0 %, not ${settings.minEffectPercent}`,
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0) {
    throw new HarnessError('INTERNAL', `Comparing boot times was given bad options: ${problems.join('; ')}`, {
      hint: 'leave the options out for the defaults (significance 0.01, minimum effect 20 ms and 1 %)',
    });
  }
}

/**
 * Both tests' two-sided p-value is smallest when the samples do not overlap at all:
 * 2 / C(n + m, n), the share of the orderings that are that extreme in one direction or the other.
 */
function smallestPossiblePValue(n: number, m: number): number {
  let orderings = 1;
  for (let i = 1; i <= n; i++) orderings = (orderings * (m + i)) / i;
  return Math.min(1, 2 / orderings);
}

/**
 * The p-value of the most typical samples of these sizes with this noise, the candidate's
 * shifted by `shift`: the normal distribution's evenly spaced quantiles, with the spread of the
 * pooled residuals (each boot minus its own sample's median) read through their IQR, which a
 * slow outlier boot barely moves. A larger shift or more boots give a smaller p.
 */
function typicalPValueAtShift(baseline: readonly number[], candidate: readonly number[], medians: { readonly baseline: number; readonly candidate: number }, shift: number): number {
  const residuals = [...baseline.map((value) => value - medians.baseline), ...candidate.map((value) => value - medians.candidate)];
  const sd = interquartileRange(residuals) / IQR_PER_SD;
  const quantiles = (count: number, offset: number) => Array.from({ length: count }, (_, i) => offset + sd * probit((i + 0.5) / count));
  const typicalBaseline = quantiles(baseline.length, 0);
  const typicalCandidate = quantiles(candidate.length, shift);
  return Math.min(mannWhitneyU(typicalCandidate, typicalBaseline).pValue, kolmogorovSmirnov(typicalCandidate, typicalBaseline).pValue);
}
