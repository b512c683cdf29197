import { join } from 'node:path';
import { describeError } from '../../core/errors.js';
import type { ManifestCell, RunManifest } from '../../results-schema/run-manifest.js';
import { cellBootTimes } from './boot-times.js';

/**
 * run.json's cells with the boot times of every boot, read from the harvest where run.json
 * does not have them (a run made before they were recorded). Called after
 * judging, so it can change no verdict; a harvest whose times cannot be read leaves that
 * cell without them and says why in its warnings, never failing the run.
 */
export async function withBootTimes(runDir: string, manifest: RunManifest): Promise<RunManifest> {
  const cells = await Promise.all(manifest.cells.map((cell) => cellWithBootTimes(runDir, cell)));
  return { ...manifest, cells };
}

async function cellWithBootTimes(runDir: string, cell: ManifestCell): Promise<ManifestCell> {
  if (cell.state === 'not-run' || cell.state === 'skipped' || cell.bootTimes !== undefined) return cell;
  try {
    const bootTimes = await cellBootTimes(join(runDir, cell.dir));
    return bootTimes === undefined ? cell : { ...cell, bootTimes };
  } catch (error) {
    return { ...cell, warnings: [...(cell.warnings ?? []), `boot times could not be read from the harvest: ${describeError(error)}`] };
  }
}
