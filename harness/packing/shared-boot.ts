import { cp } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { CaseCollect, TestCase } from '../../testcases/case.js';
import type { Platform } from '../../platforms/types.js';
import type { CellRecord } from '../../results-schema/cell-record.js';
import { CELL_FILE } from '../../results-schema/layout.js';
import { runCell, writeCellRecord, type CellPhase, type CellSpec } from '../run/cell-runner.js';
import { mergeCloudConfigs, plainCloudConfig } from './cloud-config.js';

export interface SharedBootMember {
  readonly spec: CellSpec;
  /** The case's collect with the image's facts filled in. */
  readonly collect: CaseCollect;
}

export interface SharedBootSpec {
  readonly members: readonly SharedBootMember[];
  readonly instanceName: string;
  readonly labels: CellSpec['labels'];
  /** Absolute; the shared boot's own cell.json and harvest. */
  readonly dir: string;
  readonly relativeDir: string;
}

/**
 * One boot for several cases: their cloud-configs merged, their collectors' union
 * harvested once, then a copy of the whole harvest in each case's own folder with a
 * cell.json of its own, so that each is judged (and judged again) exactly as a cell that
 * booted alone.
 */
export async function runSharedBoot(
  platform: Platform,
  boot: SharedBootSpec,
  options: { readonly signal: AbortSignal; readonly onPhase: (phase: CellPhase) => void },
): Promise<CellRecord[]> {
  const [first] = boot.members;
  if (first === undefined) throw new Error('a shared boot needs cases');
  const testCase = sharedBootCase(boot.members);
  const outcome = await runCell(
    platform,
    {
      testCase,
      image: first.spec.image,
      expectations: { skip: undefined, xfail: undefined, facts: {}, expect: testCase.expect, applied: [] },
      instanceName: boot.instanceName,
      labels: boot.labels,
      accessKey: first.spec.accessKey,
      dir: boot.dir,
      relativeDir: boot.relativeDir,
    },
    { signal: options.signal, keep: false, onPhase: options.onPhase },
  );
  const cases = boot.members.map((member) => member.spec.testCase.name);
  return Promise.all(
    boot.members.map(async ({ spec }) => {
      await cp(boot.dir, spec.dir, { recursive: true, filter: (source) => source !== join(boot.dir, CELL_FILE) });
      const record: CellRecord = {
        ...outcome.record,
        case: spec.testCase.name,
        expect: spec.expectations.expect,
        facts: spec.expectations.facts,
        expectationsApplied: spec.expectations.applied,
        sharedBoot: { dir: boot.relativeDir, cases },
        dir: spec.relativeDir,
      };
      await writeCellRecord(spec.dir, record);
      return record;
    }),
  );
}

/** The shared boot as one case of its own: what the run loop's cell runner boots and harvests. */
function sharedBootCase(members: readonly SharedBootMember[]): TestCase {
  const cases = members.map((member) => member.spec.testCase);
  const configs = cases.map((testCase) => {
    const config = plainCloudConfig(testCase.userData);
    if (config === undefined) throw new Error(`case ${testCase.name} cannot share a boot: its user-data is not one plain cloud-config`);
    return config;
  });
  const userData = mergeCloudConfigs(configs);
  const names = cases.map((testCase) => testCase.name);
  return {
    name: `shared boot of ${names.join(', ')}`,
    file: cases[0]?.file ?? '',
    sha256: createHash('sha256').update(userData).digest('hex'),
    checksFile: undefined,
    description: `one boot shared by ${names.join(', ')}`,
    tags: [],
    timeoutS: Math.max(...cases.map((testCase) => testCase.timeoutS)),
    userData,
    seed: {},
    transport: cases[0]?.transport,
    boots: { count: 1, rebootBy: 'harness', beforeReboot: undefined },
    isolated: false,
    requires: { cloudInit: undefined, capabilities: [...new Set(cases.flatMap((testCase) => testCase.requires.capabilities))], platforms: undefined },
    collect: {
      files: [...new Set(members.flatMap((member) => member.collect.files))],
      commands: Object.assign({}, ...members.map((member) => member.collect.commands)) as Record<string, string>,
      scripts: [...new Set(members.flatMap((member) => member.collect.scripts))],
    },
    expect: { status: 'done', logWarnings: [], tracebacks: [], schemaValid: true },
    facts: {},
    xfail: undefined,
  };
}
