import { formatDifferences } from '../../reports/differences.js';
import type { RunReports } from '../../reports/run-reports.js';
import type { RunResult } from '../run/run-loop.js';

const MARK: Record<string, string> = { passed: 'pass', failed: 'FAIL', skipped: 'skip' };

/**
 * The summary printed after a run: a case × image table, then every failure with the
 * lines that explain it, the cases whose outcome differs between images, then where the
 * results are.
 */
export function formatSummary(result: RunResult, reports: RunReports): string {
  const { manifest } = result;
  const images = manifest.images.map((image) => image.ref);
  const caseNames = [...new Set(manifest.cells.map((cell) => cell.case))];
  const cellOf = (caseName: string, image: string) => manifest.cells.find((cell) => cell.case === caseName && cell.image === image);
  const nameWidth = Math.max(4, ...caseNames.map((name) => name.length));
  const widths = images.map((image) => Math.max(image.length, 4));

  const lines = [`${'case'.padEnd(nameWidth)}  ${images.map((image, i) => image.padEnd(widths[i] ?? 4)).join('  ')}`];
  for (const caseName of caseNames) {
    const marks = images.map((image, i) => {
      const cell = cellOf(caseName, image);
      const mark = cell?.verdict ? (MARK[cell.verdict] ?? cell.verdict) : cell?.state === 'not-run' ? '-' : '?';
      return mark.padEnd(widths[i] ?? 4);
    });
    lines.push(`${caseName.padEnd(nameWidth)}  ${marks.join('  ')}`);
  }

  const skipped = manifest.cells.filter((cell) => cell.verdict === 'skipped' && cell.reason);
  if (skipped.length > 0) {
    lines.push('', 'Skipped:');
    for (const cell of skipped) lines.push(`  ${cell.case} [${cell.image}]: ${cell.reason}`);
  }
  const failed = manifest.cells.filter((cell) => cell.verdict === 'failed');
  if (failed.length > 0) {
    lines.push('', 'Failures:');
    for (const cell of failed) {
      for (const failure of cell.failures) {
        lines.push(`  ✗ ${cell.case} [${cell.image}] ${failure.test}`);
        for (const line of failure.message.split('\n').slice(0, 12)) lines.push(`      ${line}`);
      }
      lines.push(`      harvested: ${result.runDir}/${cell.dir}`);
    }
  }
  if (reports.differences.length > 0) {
    lines.push('', 'Differences between images:', ...formatDifferences(reports.differences).map((line) => `  ${line}`));
  }
  const notRun = manifest.cells.filter((cell) => cell.state === 'not-run').length;
  const { passed, failed: failedCount, skipped: skippedCount } = manifest.summary;
  lines.push('', `${passed} passed, ${failedCount} failed, ${skippedCount} skipped${notRun ? `, ${notRun} not run (interrupted)` : ''}`);
  for (const kept of result.kept) lines.push(`kept for a look: ${kept.cell}: ${kept.howToReach}`);
  lines.push(`results: ${result.runDir} (run.json, junit.xml, allure-results/)`);
  lines.push(`report: ${reports.htmlPath}`);
  return lines.join('\n');
}
