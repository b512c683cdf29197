import { compareSamples, type Comparison, type CompareOptions } from '../../reports/trends/stats/compare-samples.js';
import type { RunManifest } from '../../results-schema/run-manifest.js';
import { addSamples, type LeftOut, type SampleKey, type Samples } from './boot-samples.js';

export type Side = 'baseline' | 'candidate';

export interface CompareBuildsOptions {
  /** Boots of each build before the first verdict. */
  readonly boots: number;
  /** UNKNOWN adds boots, a pair at a time, up to this many of each build. */
  readonly maxBoots: number;
  /** One harness run of the selected cases with one build; its manifest carries the boot times. */
  readonly runOnce: (side: Side, round: number) => Promise<RunManifest>;
  readonly compare: CompareOptions;
  /**
   * Boot each round's two at the same time (the first round still one after the other, as
   * it prepares the builds' images): the host's load then falls on both at once.
   */
  readonly pairsAtOnce?: boolean;
  /** Also give verdicts on systemd's figures and units, which every service on the machine moves, not cloud-init alone. */
  readonly includeSystemd?: boolean;
  readonly signal: AbortSignal;
  readonly onRun?: (side: Side, round: number, manifest: RunManifest) => void;
}

export interface SeriesComparison {
  readonly key: SampleKey;
  readonly comparison: Comparison;
}

export interface BuildComparison {
  /** Boots of each build. */
  readonly boots: number;
  readonly series: readonly SeriesComparison[];
  /** Series measured for one build only (a module that runs in one of them). */
  readonly onlyIn: readonly { readonly side: Side; readonly key: SampleKey }[];
  readonly leftOut: readonly (LeftOut & { readonly side: Side })[];
  readonly runs: readonly { readonly side: Side; readonly round: number; readonly runId: string }[];
}

/**
 * Boots the two builds interleaved — in each round one run of each, the order turned
 * round every other round (A B, B A, …) so that neither always boots first on a warm or
 * busy host — until each has `boots` boots, then compares every series; while a series of
 * cloud-init's is UNKNOWN it adds a round, up to `maxBoots`.
 */
export async function compareBuilds(options: CompareBuildsOptions): Promise<BuildComparison> {
  if (!Number.isInteger(options.boots) || options.boots < 2) throw new RangeError(`boots must be a whole number ≥ 2, not ${options.boots}`);
  if (options.maxBoots < options.boots) throw new RangeError(`maxBoots (${options.maxBoots}) is fewer than boots (${options.boots})`);
  const samples: Record<Side, Map<string, Samples>> = { baseline: new Map(), candidate: new Map() };
  const leftOut: (LeftOut & { side: Side })[] = [];
  const runs: { side: Side; round: number; runId: string }[] = [];
  let round = 0;
  let result: Omit<BuildComparison, 'leftOut' | 'runs'> | undefined;
  while (result === undefined || (round < options.maxBoots && result.series.some(asksForBoots))) {
    if (options.signal.aborted) break;
    round += 1;
    const order: Side[] = round % 2 === 1 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
    const record = (side: Side, manifest: RunManifest): void => {
      runs.push({ side, round, runId: manifest.runId });
      leftOut.push(...addSamples(samples[side], manifest).map((entry) => ({ ...entry, side })));
      options.onRun?.(side, round, manifest);
    };
    if (options.pairsAtOnce === true && round > 1) {
      const manifests = await Promise.all(order.map((side) => options.runOnce(side, round)));
      order.forEach((side, index) => record(side, manifests[index] as RunManifest));
    } else {
      for (const side of order) record(side, await options.runOnce(side, round));
    }
    if (round >= options.boots) result = compareAll(samples, round, options);
  }
  return { ...(result ?? compareAll(samples, round, options)), leftOut, runs };
}

/** cloud-init's own series decide whether to boot more; systemd's, over the whole machine, are not chased. */
function asksForBoots(entry: SeriesComparison): boolean {
  return entry.comparison.verdict === 'UNKNOWN' && !isSystemd(entry.key);
}

function isSystemd(key: SampleKey): boolean {
  return key.stage === 'systemd' || key.stage === 'systemd-blame';
}

function compareAll(samples: Record<Side, Map<string, Samples>>, boots: number, options: CompareBuildsOptions): Omit<BuildComparison, 'leftOut' | 'runs'> {
  const series: SeriesComparison[] = [];
  const onlyIn: { side: Side; key: SampleKey }[] = [];
  // In an A/A comparison on LXD a systemd unit was "FASTER" by 59 ms at p = 0.009: another service's noise, no verdict on the build.
  const compared = (entry: Samples): boolean => options.includeSystemd === true || !isSystemd(entry.key);
  for (const [id, baseline] of samples.baseline) {
    if (!compared(baseline)) continue;
    const candidate = samples.candidate.get(id);
    if (candidate === undefined) onlyIn.push({ side: 'baseline', key: baseline.key });
    else series.push({ key: baseline.key, comparison: compareSamples(baseline.ms, candidate.ms, options.compare) });
  }
  for (const [id, candidate] of samples.candidate) if (compared(candidate) && !samples.baseline.has(id)) onlyIn.push({ side: 'candidate', key: candidate.key });
  return { boots, series, onlyIn };
}
