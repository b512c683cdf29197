import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellRecord, SharedBoot } from '../../results-schema/cell-record.js';
import type { Verdict } from '../../results-schema/verdict.js';
import { SHARED_BOOT_KEPT_IN } from '../../results-schema/layout.js';

/**
 * A case that did not pass in a shared boot is run again alone, and that verdict is the
 * one reported: packing may change how long a run takes, never a verdict. What the shared
 * boot harvested for it stays, one folder down.
 */
export function needsRunAlone(verdict: Verdict | undefined): boolean {
  return verdict !== 'passed';
}

/** Moves the cell's harvest from the shared boot into `shared-boot/` inside the cell's folder, which is then empty for the run alone. */
export async function keepSharedHarvest(cellDir: string): Promise<string> {
  const aside = `${cellDir}.${SHARED_BOOT_KEPT_IN}`;
  await rename(cellDir, aside);
  await mkdir(cellDir, { recursive: true });
  await rename(aside, join(cellDir, SHARED_BOOT_KEPT_IN));
  return SHARED_BOOT_KEPT_IN;
}

/** The record of the run alone, saying which shared boot it did not pass in, and with which verdict. */
export function rerunRecord(alone: CellRecord, shared: SharedBoot, verdictThere: Verdict, keptIn: string): CellRecord {
  return { ...alone, sharedBoot: { ...shared, rerunAlone: { verdictThere, keptIn } } };
}
