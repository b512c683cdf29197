import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BOOT_STAGES, type BootTimes } from '../../results-schema/boot-times.js';
import type { CellRecord } from '../../results-schema/cell-record.js';
import { CELL_FILE, collectorPaths } from '../../results-schema/layout.js';
import { parseAnalyzeDump, splitBoots, stageTimes, type AnalyzeEvent } from './cloud-init-events.js';
import { parseSystemdTimes, unmeasuredSystemd } from './systemd-analyze.js';

const ANALYZE_DUMP = 'analyze-dump';
const SYSTEMD_TIMES = 'systemd-times';
const NOT_HARVESTED = 'the instance rebooted itself before this boot could be harvested';
const NO_SYSTEMD_COLLECTOR = 'the harvest has no systemd-times output (made before that collector existed)';

/**
 * The boot times of every boot of one harvested cell, read from its folder alone (so a run
 * harvested before they were recorded gets them too). Boot n's harvest holds the events of
 * boots 1..n, and its own are the last boot among them. A boot the harness did not harvest
 * (the instance rebooted itself) is found in the last harvest, when that shows every boot.
 * Undefined for a cell with no harvest (skipped, or stopped before its first).
 */
export async function cellBootTimes(cellFolder: string): Promise<BootTimes[] | undefined> {
  const record = JSON.parse(await readFile(join(cellFolder, CELL_FILE), 'utf8')) as CellRecord;
  if (record.state === 'skipped') return undefined;
  const boots = record.boots ?? [{ boot: 1, dir: '' }];
  const lastDir = boots.at(-1)?.dir;
  const lastHarvest = lastDir === undefined ? undefined : await readHarvest(join(cellFolder, lastDir));
  const lastBoots = splitBoots(lastHarvest?.events ?? []);
  const times: BootTimes[] = [];
  for (const { boot, dir } of boots) {
    if (dir === undefined) {
      // Only a last harvest with one boot of events per boot of the case tells which one was boot n.
      if (lastBoots.length === boots.length) times.push(bootTimes(boot, lastBoots[boot - 1]!, unmeasuredSystemd(NOT_HARVESTED)));
      continue;
    }
    const harvest = dir === lastDir ? lastHarvest : await readHarvest(join(cellFolder, dir));
    if (harvest === undefined) continue;
    const systemd = harvest.systemd === undefined ? unmeasuredSystemd(NO_SYSTEMD_COLLECTOR) : parseSystemdTimes(harvest.systemd);
    times.push(bootTimes(boot, splitBoots(harvest.events).at(-1) ?? [], systemd, harvest.eventsProblem));
  }
  return times.length > 0 ? times : undefined;
}

interface Harvest {
  readonly events: readonly AnalyzeEvent[];
  /** Why the events could not be read, when they could not. */
  readonly eventsProblem: string | undefined;
  readonly systemd: string | undefined;
}

/** Undefined when this boot's folder holds neither collector's output: nothing was harvested. */
async function readHarvest(dir: string): Promise<Harvest | undefined> {
  const dump = collectorPaths(dir, ANALYZE_DUMP);
  const [dumpOut, dumpErr, systemd] = await Promise.all([readOptional(dump.out), readOptional(dump.err), readOptional(collectorPaths(dir, SYSTEMD_TIMES).out)]);
  if (dumpOut === undefined && systemd === undefined) return undefined;
  try {
    return { events: parseAnalyzeDump(dumpOut ?? ''), eventsProblem: undefined, systemd };
  } catch (error) {
    const said = (dumpErr ?? '').trim().split('\n')[0] || (error instanceof Error ? error.message : String(error));
    return { events: [], eventsProblem: `cloud-init analyze dump gave no events: ${said}`, systemd };
  }
}

function bootTimes(boot: number, events: readonly AnalyzeEvent[], systemd: BootTimes['systemd'], eventsProblem?: string): BootTimes {
  if (eventsProblem !== undefined) return { boot, stages: [], missingStages: BOOT_STAGES.map((name) => ({ name, reason: eventsProblem })), cloudInitMs: undefined, systemd };
  const { stages, missingStages } = stageTimes(events);
  const cloudInitMs = stages.length === 0 ? undefined : stages.reduce((sum, stage) => sum + stage.ms, 0);
  return { boot, stages, missingStages, cloudInitMs, systemd };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
