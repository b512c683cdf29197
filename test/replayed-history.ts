import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withBootTimes } from '../reports/trends/run-boot-times.js';
import type { BootTimes } from '../results-schema/boot-times.js';
import type { RunManifest } from '../results-schema/run-manifest.js';

// Boot records replayed as a history of runs, for the trends tests and `npm run bench:trends`:
// a real LXD run of clean_boot (its harvest's analyze events and systemd figures).
const RECORDED_RUN = join(import.meta.dirname, 'fixtures', 'boot-times', '20261203-081840-bd64');
export const STEP_MS = 200;
export const STEP_AT_RUN = 20;
export const SLOWED = { stage: 'modules-final', module: 'scripts-user' } as const;

export async function recordedRun(): Promise<RunManifest> {
  return withBootTimes(RECORDED_RUN, JSON.parse(await readFile(join(RECORDED_RUN, 'run.json'), 'utf8')) as RunManifest);
}

/**
 * The recorded boot again as run `n`: every time jittered by up to ±8 % (and the whole boot by
 * a shared ±5 % for the machine's load, as real runs vary), and from run STEP_AT_RUN on one
 * modules-final module 0.2 s slower, its stage and cloud-init's total with it.
 */
export function replayed(recorded: RunManifest, n: number, random: () => number): RunManifest {
  const load = 1 + (random() - 0.5) * 0.1;
  const jitter = (ms: number) => ms * load * (1 + (random() - 0.5) * 0.16);
  const slowed = n >= STEP_AT_RUN ? STEP_MS : 0;
  const boot = (times: BootTimes): BootTimes => ({
    ...times,
    stages: times.stages.map((stage) => ({
      ...stage,
      ms: jitter(stage.ms) + (stage.stage === SLOWED.stage ? slowed : 0),
      modules: stage.modules.map((module) => ({ ...module, ms: jitter(module.ms) + (stage.stage === SLOWED.stage && module.module === SLOWED.module ? slowed : 0) })),
    })),
    cloudInitMs: times.cloudInitMs === undefined ? undefined : jitter(times.cloudInitMs) + slowed,
    systemd: { ...times.systemd, figures: Object.fromEntries(Object.entries(times.systemd.figures).map(([figure, ms]) => [figure, jitter(ms)])) },
  });
  return {
    ...recorded,
    runId: `replay-${String(n).padStart(2, '0')}`,
    startedAt: new Date(Date.UTC(2026, 10, n)).toISOString(),
    cells: recorded.cells.map((cell) => ({ ...cell, bootTimes: cell.bootTimes?.map(boot) })),
  };
}
