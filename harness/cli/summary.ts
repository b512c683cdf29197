import { EXIT_CELL_ERRORS, EXIT_FAILED_CASES } from '../../core/errors.js';
import { formatDifferences } from '../../reports/differences.js';
import type { RunReports } from '../../reports/run-reports.js';
import type { RunResult } from '../run/run-loop.js';
import { VERDICTS, type VerdictCounts } from '../../results-schema/verdict.js';

const MARK: Record<string, string> = { passed: 'pass', failed: 'FAIL', error: 'ERROR', skipped: 'skip', xfailed: 'xfail', xpassed: 'XPASS' };

/** The exit code a judged run gives: a failure (or a pass that was marked to fail) wins over an error, as the product's verdict is the news. */
export function verdictExitCode(summary: VerdictCounts): number {
  if (summary.failed > 0 || summary.xpassed > 0) return EXIT_FAILED_CASES;
  return summary.error > 0 ? EXIT_CELL_ERRORS : 0;
}

/** `2 passed, 1 failed, 0 error, …`: every verdict, so a reader sees that none was left out. */
export function formatCounts(summary: VerdictCounts): string {
  return VERDICTS.map((verdict) => `${summary[verdict]} ${verdict}`).join(', ');
}

/**
 * The summary printed after a run: a case × image table, then every failure with the
 * lines that explain it, the cases whose outcome differs between images, then where the
 * results are.
 */
export function formatSummary(result: Omit<RunResult, 'reports'>, reports: RunReports): string {
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
  const failuresOf = (heading: string, verdicts: readonly string[]): void => {
    const cells = manifest.cells.filter((cell) => cell.verdict !== undefined && verdicts.includes(cell.verdict));
    if (cells.length === 0) return;
    lines.push('', heading);
    for (const cell of cells) {
      const code = cell.errorCode === undefined ? '' : ` (${cell.errorCode})`;
      if (cell.xfail !== undefined) lines.push(`  ${cell.case} [${cell.image}] is marked to fail: ${cell.xfail}`);
      if (cell.failures.length === 0 && cell.reason) lines.push(`  ✗ ${cell.case} [${cell.image}]${code}: ${cell.reason}`);
      for (const failure of cell.failures) {
        lines.push(`  ✗ ${cell.case} [${cell.image}]${code} ${failure.test}`);
        for (const line of failure.message.split('\n').slice(0, 12)) lines.push(`      ${line}`);
      }
      lines.push(`      harvested: ${result.runDir}/${cell.dir}`);
    }
  };
  failuresOf('Failures:', ['failed']);
  failuresOf('Errors (no answer from the harness or platform):', ['error']);
  failuresOf('Passed although marked to fail (remove the mark):', ['xpassed']);
  const warned = manifest.cells.filter((cell) => (cell.warnings?.length ?? 0) > 0);
  if (warned.length > 0 || (result.warnings?.length ?? 0) > 0) {
    lines.push('', 'Warnings:');
    for (const cell of warned) for (const warning of cell.warnings ?? []) lines.push(`  ${cell.case} [${cell.image}]: ${warning}`);
    for (const warning of result.warnings ?? []) lines.push(`  ${warning}`);
  }
  if (reports.differences.length > 0) {
    lines.push('', 'Differences between images:', ...formatDifferences(reports.differences).map((line) => `  ${line}`));
  }
  const notRun = manifest.cells.filter((cell) => cell.state === 'not-run').length;
  lines.push('', `${formatCounts(manifest.summary)}${notRun ? `, ${notRun} not run` : ''}${manifest.crash === undefined ? '' : ` — run crashed: ${manifest.crash}`}`);
  for (const kept of result.kept) lines.push(`kept for a look: ${kept.cell}: ${kept.howToReach}`);
  lines.push(`results: ${result.runDir} (run.json, junit.xml, allure-results/)`);
  lines.push(`report: ${reports.htmlPath}`);
  return lines.join('\n');
}
