import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellRecord, SharedBoot } from '../../results-schema/cell-record.js';
import type { CellVerdict, Verdict } from '../../results-schema/verdict.js';
import { writeCellRecord } from '../run/cell-runner.js';
import { SHARED_BOOT_KEPT_IN } from '../../results-schema/layout.js';

export interface RunAgainInput<Cell extends { readonly spec: { readonly dir: string } }> {
  readonly planned: readonly Cell[];
  /** Every cell's record so far, by key; a record that shared a boot is replaced by the run alone. */
  readonly records: ReadonlyMap<string, CellRecord>;
  readonly keyOf: (cell: Cell) => string;
  /** Judges the given cells as the run will (quietly: the run's own judgement comes after). */
  readonly judge: (cells: CellRecord[]) => Promise<ReadonlyMap<string, CellVerdict>>;
  /** Boots the cell alone, in the run's pool. */
  readonly runAlone: (cell: Cell) => Promise<CellRecord>;
  readonly finished: (record: CellRecord) => void;
  readonly signal: AbortSignal;
  readonly say: (line: string) => void;
}

/**
 * A case that did not pass in a shared boot is run again alone, and that verdict is the
 * one reported: packing may change how long a run takes, never a verdict. What the shared
 * boot harvested for it stays, one folder down.
 */
export async function runAgainAlone<Cell extends { readonly spec: { readonly dir: string } }>(input: RunAgainInput<Cell>): Promise<PromiseSettledResult<void>[]> {
  const shared = [...input.records.values()].filter((record) => record.sharedBoot !== undefined);
  if (shared.length === 0 || input.signal.aborted) return [];
  const judgedThere = await input.judge(shared);
  const again = input.planned.filter((cell) => input.records.get(input.keyOf(cell))?.sharedBoot !== undefined && judgedThere.get(input.keyOf(cell))?.verdict !== 'passed');
  if (again.length > 0) input.say(`did not pass in a shared boot, so each runs again alone: ${again.map(input.keyOf).join(', ')}`);
  return Promise.allSettled(
    again.map(async (cell) => {
      const there = input.records.get(input.keyOf(cell))?.sharedBoot;
      const verdictThere = judgedThere.get(input.keyOf(cell))?.verdict;
      if (input.signal.aborted || there === undefined || verdictThere === undefined) return;
      const keptIn = await keepSharedHarvest(cell.spec.dir);
      const record = rerunRecord(await input.runAlone(cell), there, verdictThere, keptIn);
      await writeCellRecord(cell.spec.dir, record);
      input.finished(record);
    }),
  );
}

/** Moves the cell's harvest from the shared boot into `shared-boot/` inside the cell's folder, which is then empty for the run alone. */
async function keepSharedHarvest(cellDir: string): Promise<string> {
  const aside = `${cellDir}.${SHARED_BOOT_KEPT_IN}`;
  await rename(cellDir, aside);
  await mkdir(cellDir, { recursive: true });
  await rename(aside, join(cellDir, SHARED_BOOT_KEPT_IN));
  return SHARED_BOOT_KEPT_IN;
}

/** The record of the run alone, saying which shared boot it did not pass in, and with which verdict. */
function rerunRecord(alone: CellRecord, shared: SharedBoot, verdictThere: Verdict, keptIn: string): CellRecord {
  return { ...alone, sharedBoot: { ...shared, rerunAlone: { verdictThere, keptIn } } };
}
