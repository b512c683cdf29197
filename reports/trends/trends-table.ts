import type { BuildKey, SeriesKey } from './history/store.js';
import { formatEffect } from './effect-format.js';
import { alignColumns } from '../../core/text-columns.js';
import type { Verdict } from './stats/index.js';
import type { Trend } from './trends.js';

const ORDER: Readonly<Record<Verdict, number>> = { SLOWER: 0, FASTER: 1, UNKNOWN: 2, SAME: 3 };

/**
 * What `harness trends` prints: moved series first, then the rest. Without `all`, a module
 * or systemd unit that did not move is left out: a boot has hundreds, and the stages they
 * belong to are shown whatever their verdict.
 */
export function trendsTable(trends: readonly Trend[], options: { readonly all?: boolean } = {}): string[] {
  const shown = shownTrends(trends, options);
  const rows = [
    ['series', 'runs', 'baseline', 'now', 'change', 'verdict', 'since'],
    ...shown.map((trend) => [
      seriesName(trend.key),
      String(trend.runs),
      ms(trend.baselineMs),
      ms(trend.nowMs),
      change(trend),
      trend.verdict,
      trend.since === undefined
        ? (trend.reason ?? '')
        : `run ${trend.since.position} of ${trend.runs}: ${trend.since.run.runId} (${buildName(trend.since.run.build)}, ${trend.since.run.startedAt}), p=${trend.since.pValue.toFixed(3)}`,
    ]),
  ];
  const lines = alignColumns(rows);
  const hidden = trends.length - shown.length;
  return hidden > 0 ? [...lines, `(${hidden} module and unit series that did not move are left out; --all shows them)`] : lines;
}

/** What the table and the page show, moved series first: without `all`, the stages, and the modules and units that moved. */
export function shownTrends(trends: readonly Trend[], options: { readonly all?: boolean } = {}): Trend[] {
  return trends
    .filter((trend) => options.all === true || trend.verdict === 'SLOWER' || trend.verdict === 'FASTER' || isWholeStage(trend.key))
    .sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict] || seriesName(a.key).localeCompare(seriesName(b.key)));
}

/** A stage, cloud-init's total or systemd's: shown whatever its verdict, where a module or unit that did not move is not. */
export function isWholeStage(key: { readonly stage: string; readonly module: string | undefined }): boolean {
  return key.stage === 'cloud-init' || key.module === undefined || (key.stage === 'systemd' && key.module === 'total');
}

export function seriesName(key: SeriesKey): string {
  const what = key.module === undefined ? key.stage : `${key.stage}/${key.module}`;
  return `${key.platform} ${key.image} ${key.case}${key.boot > 1 ? ` boot ${key.boot}` : ''}: ${what}`;
}

function ms(value: number | undefined): string {
  return value === undefined ? '-' : `${Math.round(value)} ms`;
}

export function change(trend: Trend): string {
  if (trend.baselineMs === undefined || trend.nowMs === undefined) return '-';
  const delta = trend.nowMs - trend.baselineMs;
  return formatEffect(delta, trend.baselineMs > 0 ? (100 * delta) / trend.baselineMs : null);
}

function buildName(build: BuildKey): string {
  if (build.kind === 'none') return 'the image as it is';
  const id = build.describe ?? build.commit?.slice(0, 12) ?? build.sha256?.slice(0, 12);
  return id === undefined ? build.kind : `${build.kind} ${id}`;
}
