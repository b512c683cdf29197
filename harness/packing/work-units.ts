import { relative } from 'node:path';
import type { AccessKey, Platform } from '../../platforms/types.js';
import { checkLaunchLimits } from '../../platforms/limits.js';
import { instanceName, LABEL_CASE, LABEL_IMAGE } from '../../core/run-id.js';
import { runLabels } from '../../core/run-owner.js';
import { sharedBootDir } from '../../results-schema/layout.js';
import { withFacts, type CellSpec } from '../run/cell-runner.js';
import { mergeCloudConfigs, plainCloudConfig } from './cloud-config.js';
import { MAX_CASES_PER_BOOT, planSharedBoots, type PackCandidate } from './plan-shared-boots.js';
import type { SharedBootSpec } from './shared-boot.js';

export interface PlannedCell {
  readonly spec: CellSpec;
  readonly skipReason: string | undefined;
}

/** What the run loop hands to its pool, one boot each (none for a skipped cell). */
export type WorkUnit =
  | { readonly kind: 'skipped'; readonly cell: PlannedCell; readonly reason: string }
  | { readonly kind: 'alone'; readonly cell: PlannedCell }
  | { readonly kind: 'shared'; readonly cells: readonly PlannedCell[]; readonly boot: SharedBootSpec };

export interface WorkOptions {
  /** Off: every case boots alone (`--isolated`, `--keep-failed`, an upgrade run). */
  readonly share: boolean;
  readonly platform: Platform;
  readonly runId: string;
  readonly runDir: string;
  readonly accessKey: AccessKey;
}

/** The run's cells as boots: cases that can share one are packed (plan-shared-boots.ts), the rest boot alone; in the order planned. */
export function planWork(planned: readonly PlannedCell[], options: WorkOptions): WorkUnit[] {
  const toRun = planned.filter((cell) => cell.skipReason === undefined);
  const candidates = toRun.map((cell) => ({
    cell,
    testCase: cell.spec.testCase,
    expectations: cell.spec.expectations,
    imageRef: cell.spec.image.ref,
    collect: withFacts(cell.spec.testCase.collect, cell.spec.expectations.facts),
  }));
  const plan = options.share
    ? planSharedBoots(candidates, { maxCases: MAX_CASES_PER_BOOT, fits: (members) => fitsLaunch(options.platform, members) })
    : { sharedBoots: [], alone: candidates };
  const position = new Map(planned.map((cell, index) => [cell, index]));
  const units: { readonly at: number; readonly unit: WorkUnit }[] = [
    ...planned.flatMap((cell) => (cell.skipReason === undefined ? [] : [{ at: position.get(cell) ?? 0, unit: { kind: 'skipped' as const, cell, reason: cell.skipReason } }])),
    ...plan.alone.map(({ cell }) => ({ at: position.get(cell) ?? 0, unit: { kind: 'alone' as const, cell } })),
    ...plan.sharedBoots.map((members, index) => {
      const cells = members.map((member) => member.cell);
      const first = cells[0] as PlannedCell;
      const image = first.spec.image.ref;
      const dir = sharedBootDir(options.runDir, index + 1, image);
      const boot: SharedBootSpec = {
        members: members.map((member) => ({ spec: member.cell.spec, collect: member.collect })),
        instanceName: instanceName(options.runId, planned.length + index + 1, 'shared-boot'),
        labels: { ...runLabels({ runId: options.runId, runDir: options.runDir }), [LABEL_CASE]: cells.map((cell) => cell.spec.testCase.name).join(','), [LABEL_IMAGE]: image },
        dir,
        relativeDir: relative(options.runDir, dir),
      };
      return { at: position.get(first) ?? 0, unit: { kind: 'shared' as const, cells, boot } };
    }),
  ];
  return units.sort((a, b) => a.at - b.at).map(({ unit }) => unit);
}

function fitsLaunch(platform: Platform, members: readonly PackCandidate[]): boolean {
  const configs = members.map((member) => plainCloudConfig(member.testCase.userData));
  if (configs.some((config) => config === undefined)) return false;
  try {
    checkLaunchLimits(platform.limits, { userData: mergeCloudConfigs(configs as NonNullable<(typeof configs)[number]>[]), what: 'a shared boot' });
    return true;
  } catch {
    return false;
  }
}
