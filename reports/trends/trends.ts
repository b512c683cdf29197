import { median } from 'simple-statistics';
import type { Series, SeriesKey, SeriesPoint } from './history/store.js';
import { eDivisive, type ChangePoint, type EDivisiveOptions, type Verdict } from './stats/index.js';
import { TREND_DEFAULTS } from './trend-defaults.js';

export interface TrendOptions {
  /** How many of each series' newest runs are looked at; older history is what they are compared within. */
  readonly lastRuns?: number;
  /** A step smaller than this, in ms, is not news whatever its p-value. */
  readonly minEffectMs?: number;
  /** Nor is one smaller than this share of the time before it, in %. */
  readonly minEffectPercent?: number;
  readonly eDivisive?: EDivisiveOptions;
}

/** Where a series moved: the first run after the step, and the step's size. */
export interface TrendChange {
  readonly run: SeriesPoint;
  /** 1-based, among the runs looked at. */
  readonly position: number;
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly stepMs: number;
  readonly pValue: number;
}

export interface Trend {
  readonly key: SeriesKey;
  /** Runs looked at (failed and error cells left out). */
  readonly runs: number;
  /** Those runs' points, oldest first: what a chart draws. */
  readonly points: readonly SeriesPoint[];
  readonly verdict: Verdict;
  readonly baselineMs: number | undefined;
  readonly nowMs: number | undefined;
  /** The change that decided the verdict; undefined for SAME and UNKNOWN. */
  readonly since: TrendChange | undefined;
  /** Every change point E-Divisive accepted, whatever its size (none looked for when the series' range is under the minimum effect): what a chart marks. */
  readonly changes: readonly TrendChange[];
  /** Why the verdict is UNKNOWN. */
  readonly reason: string | undefined;
}

// A boot of a failed or errored cell may have been cut short or stalled: its times say nothing about the build.
export const JUDGED_ON_TIME: ReadonlySet<string | undefined> = new Set<string | undefined>(['passed', 'xfailed', 'xpassed', 'skipped', undefined]);

/**
 * Each series' newest runs through E-Divisive means: the latest change point whose step
 * clears both minimum effects gives SLOWER or FASTER since that run; none gives SAME; too
 * few runs to split gives UNKNOWN.
 */
export function trendsOf(all: readonly Series[], options: TrendOptions = {}): Trend[] {
  const lastRuns = options.lastRuns ?? TREND_DEFAULTS.lastRuns;
  const minEffectMs = options.minEffectMs ?? TREND_DEFAULTS.minEffectMs;
  const minEffectPercent = options.minEffectPercent ?? TREND_DEFAULTS.minEffectPercent;
  const minSegmentSize = options.eDivisive?.minSegmentSize ?? TREND_DEFAULTS.minSegmentSize;
  return all.map(({ key, points: everyPoint }) => {
    const points = everyPoint.filter((point) => JUDGED_ON_TIME.has(point.verdict)).slice(-lastRuns);
    const values = points.map((point) => point.ms);
    if (values.length < 2 * minSegmentSize) {
      return {
        key,
        runs: values.length,
        points,
        verdict: 'UNKNOWN',
        baselineMs: undefined,
        nowMs: values.length === 0 ? undefined : median(values),
        since: undefined,
        changes: [],
        reason: `${values.length} run(s) with this series; a change point needs ${2 * minSegmentSize}`,
      };
    }
    // No step between two medians exceeds the series' range, nor starts below its least value: a range under either minimum can hold no news, and most module series are a few ms flat.
    const least = Math.min(...values);
    const range = Math.max(...values) - least;
    const canClear = range >= minEffectMs && range >= (minEffectPercent / 100) * least;
    const changes = canClear ? eDivisive(values, { ...options.eDivisive, minSegmentSize }).map((point) => changeAt(points, point)) : [];
    const clears = (change: TrendChange): boolean =>
      Math.abs(change.stepMs) >= minEffectMs && Math.abs(change.stepMs) >= (minEffectPercent / 100) * change.beforeMs;
    const since = changes.findLast(clears);
    if (since === undefined) {
      // No step worth naming: the newest runs against the ones before them, for the reader.
      return { key, runs: values.length, points, verdict: 'SAME', baselineMs: median(values.slice(0, -minSegmentSize)), nowMs: median(values.slice(-minSegmentSize)), since, changes, reason: undefined };
    }
    return { key, runs: values.length, points, verdict: since.stepMs > 0 ? 'SLOWER' : 'FASTER', baselineMs: since.beforeMs, nowMs: since.afterMs, since, changes, reason: undefined };
  });
}

function changeAt(points: readonly SeriesPoint[], point: ChangePoint): TrendChange {
  // eDivisive never puts a change point at either end: a segment has minSegmentSize points at least.
  const run = points[point.index]!;
  return { run, position: point.index + 1, beforeMs: point.before, afterMs: point.after, stepMs: point.step, pValue: point.pValue };
}
