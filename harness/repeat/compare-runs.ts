import { join } from 'node:path';
import type { ManifestCell, RunManifest } from '../../results-schema/run-manifest.js';
import type { CellRepetition, ChangedCell, HarvestDifference, RepeatReport } from '../../results-schema/repeat.js';
import type { Verdict } from '../../results-schema/verdict.js';
import { compareHarvests, HARVEST_COMPARED, type HarvestSide } from './compare-harvests.js';

/** One repetition as it ended: its run.json and where its folder is. */
export interface Repetition {
  /** 1-based. */
  readonly repetition: number;
  readonly runDir: string;
  readonly manifest: RunManifest;
}

interface PlacedCell {
  readonly repetition: Repetition;
  readonly cell: ManifestCell | undefined;
}

/**
 * Compares repetitions cell by cell (case × image) from their run.json files. Only
 * repetitions that finished are compared: an interrupted one has cells that never ran,
 * which is not a change of verdict.
 */
export async function compareRuns(asked: number, repetitions: readonly Repetition[]): Promise<RepeatReport> {
  const compared = repetitions.filter((repetition) => repetition.manifest.state === 'finished');
  const keys = [...new Set(compared.flatMap((repetition) => repetition.manifest.cells.map(keyOf)))];
  const changed: ChangedCell[] = [];
  for (const key of keys) {
    const placed = compared.map((repetition) => ({ repetition, cell: repetition.manifest.cells.find((cell) => keyOf(cell) === key) }));
    if (new Set(placed.map(verdictOf)).size <= 1) continue;
    const [caseName = '', image = ''] = JSON.parse(key) as [string, string];
    changed.push({ case: caseName, image, repetitions: placed.map(describe), differences: await harvestDifferences(placed) });
  }
  const first = repetitions[0]?.manifest;
  return {
    schema: 1,
    asked,
    runs: repetitions.map(({ repetition, runDir, manifest }) => ({ repetition, runId: manifest.runId, runDir, state: manifest.state, summary: manifest.summary })),
    cases: first?.cases.length ?? 0,
    images: first?.images.map((image) => image.ref) ?? [],
    compared: HARVEST_COMPARED,
    changed,
  };
}

function keyOf(cell: Pick<ManifestCell, 'case' | 'image'>): string {
  return JSON.stringify([cell.case, cell.image]);
}

function verdictOf(placed: PlacedCell): Verdict | null {
  return placed.cell?.verdict ?? null;
}

function describe(placed: PlacedCell): CellRepetition {
  const { repetition, cell } = placed;
  return {
    repetition: repetition.repetition,
    runId: repetition.manifest.runId,
    verdict: verdictOf(placed),
    errorCode: cell?.errorCode,
    reason: cell?.reason,
    failures: cell?.failures ?? [],
    dir: cell === undefined ? repetition.manifest.runId : join(repetition.manifest.runId, cell.dir),
  };
}

/** The reference (the first repetition that passed, else the first) against the first repetition of each other verdict. */
async function harvestDifferences(placed: readonly PlacedCell[]): Promise<HarvestDifference[]> {
  const reference = placed.find((entry) => verdictOf(entry) === 'passed') ?? placed[0];
  if (reference === undefined) return [];
  const seen = new Set([verdictOf(reference)]);
  const differences: HarvestDifference[] = [];
  for (const other of placed) {
    if (seen.has(verdictOf(other))) continue;
    seen.add(verdictOf(other));
    const sides = [sideOf(reference), sideOf(other)] as const;
    if (sides[0] === undefined || sides[1] === undefined) continue;
    differences.push({ reference: reference.repetition.repetition, other: other.repetition.repetition, files: await compareHarvests(sides[0], sides[1]) });
  }
  return differences;
}

function sideOf({ repetition, cell }: PlacedCell): HarvestSide | undefined {
  if (cell === undefined) return undefined;
  const names: Record<string, string> = { [repetition.manifest.runId]: '<run-id>' };
  if (cell.instance !== undefined) names[cell.instance] = '<instance>';
  return { dir: join(repetition.runDir, cell.dir), names };
}
