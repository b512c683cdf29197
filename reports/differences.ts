import { CLOUD_INIT_LOG } from '../core/cloud-init-paths.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { harvestedFilePath } from '../results-schema/layout.js';
import type { ManifestCell, RunManifest } from '../results-schema/run-manifest.js';
import { findLogProblems, type LogFinding } from '../testcases/cloud-init-log.js';

/**
 * A case that passes on some images and fails on others: what a matrix run exists to
 * show. The log lines are the WARNING/ERROR/Traceback lines of a failing image's
 * cloud-init.log that no passing image's log has, which is usually the difference itself.
 */
export interface ImageDifference {
  readonly case: string;
  readonly passesOn: readonly string[];
  readonly failsOn: readonly string[];
  /** The first line of the first failure on the first failing image. */
  readonly firstFailure: string;
  readonly newLogLines: readonly { readonly image: string; readonly findings: readonly LogFinding[] }[];
}


export async function findDifferences(runDir: string, manifest: Pick<RunManifest, 'cells'>): Promise<ImageDifference[]> {
  const differences: ImageDifference[] = [];
  for (const [caseName, cells] of groupByCase(manifest.cells)) {
    const passing = cells.filter((cell) => cell.verdict === 'passed');
    const failing = cells.filter((cell) => cell.verdict === 'failed');
    const [firstFailing] = failing;
    if (passing.length === 0 || firstFailing === undefined) continue;
    const known = new Set((await Promise.all(passing.map((cell) => logProblems(runDir, cell)))).flat().map((finding) => normalizeLogLine(finding.text)));
    const newLogLines = await Promise.all(
      failing.map(async (cell) => ({ image: cell.image, findings: onlyNew(await logProblems(runDir, cell), known) })),
    );
    differences.push({
      case: caseName,
      passesOn: passing.map((cell) => cell.image),
      failsOn: failing.map((cell) => cell.image),
      firstFailure: firstLine(firstFailing),
      newLogLines,
    });
  }
  return differences;
}

/** One line per case, then its new log lines indented under it. */
export function formatDifferences(differences: readonly ImageDifference[]): string[] {
  return differences.flatMap((difference) => [
    `${difference.case}: passes on ${difference.passesOn.join(', ')}, fails on ${difference.failsOn.join(', ')}: ${difference.firstFailure}`,
    ...difference.newLogLines.flatMap(({ image, findings }) => findings.map((finding) => `    ${image} cloud-init.log:${finding.line}: ${finding.text.trim()}`)),
  ]);
}

/**
 * A log line without what differs between any two boots (timestamps, pids, uptimes,
 * addresses, instance names' counters), so that the same event compares equal across images.
 */
export function normalizeLogLine(line: string): string {
  return line
    .replace(/^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d+)?\s*-?\s*/, '')
    .replace(/0x[0-9a-f]+/gi, 'ADDR')
    .replace(/\d+/g, 'N')
    .trim();
}

function groupByCase(cells: readonly ManifestCell[]): Map<string, ManifestCell[]> {
  const byCase = new Map<string, ManifestCell[]>();
  for (const cell of cells) byCase.set(cell.case, [...(byCase.get(cell.case) ?? []), cell]);
  return byCase;
}

async function logProblems(runDir: string, cell: ManifestCell): Promise<LogFinding[]> {
  const log = await readFile(harvestedFilePath(join(runDir, cell.dir), CLOUD_INIT_LOG), 'utf8').catch(() => '');
  return findLogProblems(log);
}

/** The findings whose normalized text is not in `known`, each such text once. */
function onlyNew(findings: readonly LogFinding[], known: ReadonlySet<string>): LogFinding[] {
  const seen = new Set(known);
  return findings.filter((finding) => {
    const key = normalizeLogLine(finding.text);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function firstLine(cell: ManifestCell): string {
  const message = cell.failures[0]?.message ?? cell.reason ?? 'failed';
  return message.split('\n')[0] ?? '';
}
