import { describeError, EXIT_FAILED_CASES, EXIT_INTERRUPTED } from '../../core/errors.js';
import type { ChangedCell, FileDifference } from '../../results-schema/repeat.js';
import { countVerdicts, VERDICTS, type VerdictCounts } from '../../results-schema/verdict.js';
import type { RepeatResult } from '../repeat/repeat-runs.js';
import type { RunResult } from '../run/run-loop.js';
import { formatCounts, verdictExitCode } from './summary.js';

const MESSAGE_LINES = 3;
const FILES_SHOWN = 8;
const NOT_PASSING = new Set(['failed', 'error', 'xpassed']);

/**
 * The exit code of `run --repeat`: 130 when interrupted; 1 when any verdict changed
 * between repetitions (a flaky case makes every verdict of the build doubtful, whatever
 * each repetition said); otherwise a single run's code for every repetition's cells taken
 * together, so a failure in any repetition wins over an error in another.
 */
export function repeatExitCode(result: RepeatResult): number {
  if (result.interrupted) return EXIT_INTERRUPTED;
  if (result.report.changed.length > 0) return EXIT_FAILED_CASES;
  return verdictExitCode(sumCounts(result.results.map((run) => run.manifest.summary)));
}

function sumCounts(all: readonly VerdictCounts[]): VerdictCounts {
  const sum = { ...countVerdicts([]) };
  for (const counts of all) for (const verdict of VERDICTS) sum[verdict] += counts[verdict];
  return sum;
}

/** The line printed after each repetition. */
export function formatRepetitionLine(repetition: number, times: number, result: RunResult): string {
  const interrupted = result.interrupted ? ' (interrupted)' : '';
  return `repetition ${repetition}/${times}${interrupted}: ${formatCounts(result.manifest.summary)} — ${result.runDir}`;
}

/**
 * After every repetition: `repeat 10: 59 cases × 1 image, 0 changed verdicts`, or each
 * changed cell with its verdict per repetition, the failure messages and the harvested
 * files that differ; then the cells that failed, errored or xpassed in every repetition
 * alike, and where the comparison is.
 */
export function formatRepeatSummary(result: RepeatResult): string {
  const { report } = result;
  const compared = report.runs.filter((run) => run.state === 'finished').length;
  const images = `${report.images.length} image${report.images.length === 1 ? '' : 's'}`;
  const changes = `${report.changed.length} changed verdict${report.changed.length === 1 ? '' : 's'}`;
  const ofWhat = compared === report.asked ? `repeat ${report.asked}` : `repeat ${report.asked} (${compared} compared, of ${report.runs.length} run)`;
  const lines = [`${ofWhat}: ${report.cases} cases × ${images}, ${changes}`];
  for (const cell of report.changed) lines.push(...formatChangedCell(cell));

  const steady = steadyNotPassing(result);
  if (steady.length > 0) {
    lines.push('', 'The same verdict in every repetition, but not a pass:');
    for (const line of steady) lines.push(`  ${line}`);
  }
  if (result.interrupted) lines.push('', `interrupted: no repetition started after repetition ${report.runs.length}`);
  if (result.error !== undefined) lines.push('', `stopped after repetition ${report.runs.length}: the next one did not run to its end (${describeError(result.error)})`);
  lines.push('', `runs: ${report.runs.map((run) => run.runId).join(', ')}`);
  lines.push(`comparison: ${result.reportPath}`);
  return lines.join('\n');
}

function formatChangedCell(cell: ChangedCell): string[] {
  const lines = ['', `  ${cell.case} [${cell.image}]: ${cell.repetitions.map((entry) => entry.verdict ?? 'not judged').join(', ')}`];
  for (const entry of cell.repetitions) {
    if (entry.verdict === 'passed') continue;
    const code = entry.errorCode === undefined ? '' : ` (${entry.errorCode})`;
    lines.push(`    repetition ${entry.repetition}: ${entry.verdict ?? 'not judged'}${code} — ${entry.dir}`);
    if (entry.failures.length === 0 && entry.reason !== undefined) lines.push(`      ${entry.reason}`);
    for (const failure of entry.failures) {
      lines.push(`      ✗ ${failure.test}`);
      for (const line of failure.message.split('\n').filter((text) => text.trim() !== '').slice(0, MESSAGE_LINES)) lines.push(`          ${line}`);
    }
  }
  for (const difference of cell.differences) {
    const heading = `    harvest of repetition ${difference.reference} against ${difference.other}`;
    if (difference.files.length === 0) {
      lines.push(`${heading}: no compared file differs (what changed is in the judging, or in what the comparison leaves out)`);
      continue;
    }
    lines.push(`${heading}: ${difference.files.length} file(s) differ`);
    for (const file of difference.files.slice(0, FILES_SHOWN)) lines.push(...formatFile(file, difference.reference, difference.other));
    if (difference.files.length > FILES_SHOWN) lines.push(`      … and ${difference.files.length - FILES_SHOWN} more (in the comparison file)`);
  }
  return lines;
}

function formatFile(file: FileDifference, reference: number, other: number): string[] {
  if (file.kind === 'only-in-reference') return [`      ${file.path}: only in repetition ${reference}`];
  if (file.kind === 'only-in-other') return [`      ${file.path}: only in repetition ${other}`];
  if (file.referenceLine === undefined) return [`      ${file.path}: differs (binary)`];
  return [`      ${file.path}:`, `          ${reference}: ${file.referenceLine}`, `          ${other}: ${file.otherLine ?? ''}`];
}

/** Cells that failed, errored or xpassed alike in every compared repetition: not flaky, but not to be missed. */
function steadyNotPassing(result: RepeatResult): string[] {
  const changed = new Set(result.report.changed.map((cell) => `${cell.case} [${cell.image}]`));
  const finished = result.results.filter((run) => run.manifest.state === 'finished');
  const lines: string[] = [];
  for (const cell of finished[0]?.manifest.cells ?? []) {
    const key = `${cell.case} [${cell.image}]`;
    if (changed.has(key) || cell.verdict === undefined || !NOT_PASSING.has(cell.verdict)) continue;
    lines.push(`${key}: ${cell.verdict} ×${finished.length} — ${finished[0]?.manifest.runId}/${cell.dir}`);
  }
  return lines;
}
