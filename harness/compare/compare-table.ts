import { alignColumns } from '../../core/text-columns.js';
import { formatEffect } from '../../reports/trends/effect-format.js';
import type { Verdict } from '../../reports/trends/stats/index.js';
import { isWholeStage } from '../../reports/trends/trends-table.js';
import type { SampleKey } from './boot-samples.js';
import type { BuildComparison, SeriesComparison } from './compare-builds.js';

const ORDER: Readonly<Record<Verdict, number>> = { SLOWER: 0, FASTER: 1, UNKNOWN: 2, SAME: 3 };

/**
 * What `harness compare` prints: per series, both medians, the change, p and the verdict;
 * moved series first. Without `all`, a module or systemd figure that did not move is left
 * out (the stages and cloud-init's total are always shown).
 */
export function compareTable(result: BuildComparison, options: { readonly all?: boolean } = {}): string[] {
  const shown = result.series
    .filter((entry) => options.all === true || entry.comparison.verdict === 'SLOWER' || entry.comparison.verdict === 'FASTER' || isWholeStage(entry.key))
    .sort((a, b) => ORDER[a.comparison.verdict] - ORDER[b.comparison.verdict] || seriesName(a.key).localeCompare(seriesName(b.key)));
  const lines = shown.length === 0 ? [] : alignColumns([
    ['series', 'baseline', 'candidate', 'change', 'p', 'verdict', 'boots'],
    ...shown.map(({ key, comparison }) => [
      seriesName(key),
      `${Math.round(comparison.baselineMedianMs)} ms`,
      `${Math.round(comparison.candidateMedianMs)} ms`,
      formatEffect(comparison.effectMs, comparison.effectPercent),
      comparison.pValue < 0.001 ? comparison.pValue.toExponential(1) : comparison.pValue.toFixed(3),
      comparison.verdict,
      `${comparison.samples.baseline}+${comparison.samples.candidate}`,
    ]),
  ]);
  const hidden = result.series.length - shown.length;
  if (hidden > 0) lines.push(`(${hidden} module and systemd series that did not move are left out; --all shows them)`);
  for (const entry of result.onlyIn) lines.push(`only the ${entry.side} measured ${seriesName(entry.key)}`);
  for (const entry of result.leftOut) lines.push(`left out: ${entry.cell} of ${entry.side} run ${entry.runId} (${entry.verdict})`);
  return lines;
}

export function verdictCounts(series: readonly SeriesComparison[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { SLOWER: 0, FASTER: 0, UNKNOWN: 0, SAME: 0 };
  for (const entry of series) counts[entry.comparison.verdict] += 1;
  return counts;
}

function seriesName(key: SampleKey): string {
  const what = key.module === undefined ? key.stage : `${key.stage}/${key.module}`;
  return `${key.case} ${key.image}${key.boot > 1 ? ` boot ${key.boot}` : ''}: ${what}`;
}
