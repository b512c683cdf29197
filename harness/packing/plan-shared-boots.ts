import type { CaseCollect, TestCase } from '../../testcases/case.js';
import type { CellExpectations } from '../../testcases/expectations.js';
import { plainCloudConfig, topLevelKeys } from './cloud-config.js';

/** More cases in one boot save more boots, and cost more when it fails and each failed case is run again alone. */
export const MAX_CASES_PER_BOOT = 6;

/**
 * Top-level keys that cloud-init reads together, so that two cases each with one of them
 * meet though no key is in both: `user` renames the default user that `users: [default]`
 * and `ssh_authorized_keys` are about, `preserve_hostname` decides over `hostname`.
 */
const KEY_FAMILIES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries({
    'the users': ['user', 'users', 'system_info', 'ssh_authorized_keys', 'disable_root', 'disable_root_opts'],
    'passwords': ['chpasswd', 'password', 'ssh_pwauth'],
    'the hostname': ['hostname', 'fqdn', 'prefer_fqdn_over_hostname', 'preserve_hostname', 'manage_etc_hosts', 'create_hostname_file'],
    'the host keys': ['ssh_keys', 'ssh_genkeytypes', 'ssh_deletekeys', 'ssh_publish_hostkeys', 'ssh_quiet_keygen'],
  }).flatMap(([family, keys]) => keys.map((key) => [key, family])),
);

export interface PackCandidate {
  readonly testCase: TestCase;
  readonly expectations: CellExpectations;
  readonly imageRef: string;
  /** The case's collect with this image's facts filled in: the harvest of a shared boot is the union of its cases'. */
  readonly collect: CaseCollect;
}

export interface SharedBootPlan<T extends PackCandidate> {
  /** Each with two cases or more, all on one image and one transport. */
  readonly sharedBoots: readonly (readonly T[])[];
  readonly alone: readonly T[];
}

/**
 * Why a case must have a boot of its own, or undefined when it can share one. Anything a
 * case expects of the boot as a whole — its status, log lines, schema result, more than one
 * boot, a seed beyond user-data — would be broken by, or would break, another case's
 * config; a known failure would fail its boot-mates' re-runs for nothing.
 */
export function whyAlone(testCase: TestCase, expectations: CellExpectations): string | undefined {
  if (testCase.isolated) return 'marked isolated';
  if (testCase.boots.count > 1) return 'boots more than once';
  const { expect } = expectations;
  if (expect.status !== 'done') return `expects status ${expect.status}`;
  if (expect.logWarnings.length > 0 || expect.tracebacks.length > 0) return 'expects lines in cloud-init.log';
  if (!expect.schemaValid) return 'expects the schema check to fail';
  if (expectations.xfail !== undefined) return 'is expected to fail';
  const { vendorData, metaData, networkConfig } = testCase.seed;
  if (vendorData !== undefined || metaData !== undefined || networkConfig !== undefined) return 'has seed parts beside user-data';
  const config = plainCloudConfig(testCase.userData);
  if (config === undefined) return 'user-data is not one plain cloud-config';
  if (config.items.length === 0) return 'its cloud-config is empty';
  return undefined;
}

/**
 * Cases that may share a boot, put into as few boots as first-fit allows: in the order
 * given (so the same cases always make the same boots), each goes into the first boot on
 * its image and transport that has no top-level cloud-config key of its (nor one of the
 * same family), no collect
 * command of the same name doing something else, and room.
 */
export function planSharedBoots<T extends PackCandidate>(cells: readonly T[], options: { readonly maxCases: number; readonly fits: (members: readonly T[]) => boolean }): SharedBootPlan<T> {
  interface Open {
    readonly group: string;
    readonly members: T[];
    readonly keys: Set<string>;
    readonly commands: Map<string, string>;
  }
  const open: Open[] = [];
  const alone: T[] = [];
  for (const cell of cells) {
    const config = whyAlone(cell.testCase, cell.expectations) === undefined ? plainCloudConfig(cell.testCase.userData) : undefined;
    if (config === undefined) {
      alone.push(cell);
      continue;
    }
    const group = `${cell.imageRef}\u0000${cell.testCase.transport ?? ''}`;
    const keys = topLevelKeys(config).map((key) => KEY_FAMILIES[key] ?? key);
    const commands = Object.entries(cell.collect.commands);
    const target = open.find(
      (boot) =>
        boot.group === group &&
        boot.members.length < options.maxCases &&
        keys.every((key) => !boot.keys.has(key)) &&
        commands.every(([name, command]) => (boot.commands.get(name) ?? command) === command) &&
        options.fits([...boot.members, cell]),
    );
    if (target === undefined) {
      open.push({ group, members: [cell], keys: new Set(keys), commands: new Map(commands) });
      continue;
    }
    target.members.push(cell);
    for (const key of keys) target.keys.add(key);
    for (const [name, command] of commands) target.commands.set(name, command);
  }
  const sharedBoots = open.filter((boot) => boot.members.length > 1).map((boot) => boot.members);
  for (const boot of open) if (boot.members.length === 1) alone.push(...boot.members);
  return { sharedBoots, alone };
}
