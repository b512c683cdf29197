import type { Capability } from '../core/capabilities.js';
import type { LaunchSpec, Transport } from '../platforms/types.js';
import type { CaseExpectations, LogExpectation } from '../results-schema/case-expectations.js';
import type { LogExpectationFile, MarkFile } from './case-schema.js';

export type { CaseExpectations, ExpectedStatus, LogExpectation } from '../results-schema/case-expectations.js';

/** A test case as the run loop and the checks see it, after validation. */
export interface TestCase {
  readonly name: string;
  /** Absolute path of the YAML file. */
  readonly file: string;
  readonly sha256: string;
  /** The mocha file with this case's checks, beside the YAML (`<name>.checks.ts`), if any. */
  readonly checksFile: string | undefined;
  readonly description: string;
  readonly tags: readonly string[];
  /** Seconds to wait for cloud-init to finish. */
  readonly timeoutS: number;
  readonly userData: string;
  /** The rest of the seed, delivered by the platform beside the user-data; absent parts are not given at all. */
  readonly seed: CaseSeed;
  /** What must serve exec, push and pull in the instance; absent: the platform's default. */
  readonly transport: Transport | undefined;
  readonly boots: CaseBoots;
  /** Never packed into a boot with other cases, even when their cloud-configs could share one. */
  readonly isolated: boolean;
  readonly requires: CaseRequirements;
  readonly collect: CaseCollect;
  readonly expect: CaseExpectations;
  /**
   * Facts the checks read with `cell.fact(name)` (a default user name, a path) where they
   * differ between images; expectations files override them per image.
   */
  readonly facts: Readonly<Record<string, string>>;
  /** The case's own expected-failure mark (a known bug), before expectations files. */
  readonly xfail: Mark | undefined;
}

/**
 * A skip or an expected failure, with the reason (a known bug: name its upstream
 * reference). Bounded by `cloudInit`, it holds only for the cloud-init versions in that
 * semver range, so a build that carries the fix runs and is judged normally.
 */
export interface Mark {
  readonly reason: string;
  readonly cloudInit: string | undefined;
}

export function toMark(raw: MarkFile): Mark {
  return typeof raw === 'string' ? { reason: raw, cloudInit: undefined } : { reason: raw.reason, cloudInit: raw.cloud_init };
}

export function toLogExpectations(entries: readonly LogExpectationFile[]): LogExpectation[] {
  return entries.map((entry) =>
    typeof entry === 'string' ? { pattern: entry, required: false, count: undefined } : { pattern: entry.pattern, required: entry.required ?? entry.count !== undefined, count: entry.count },
  );
}

/** The launch's parts beside the user-data, as the case gives them: an absent part is not served at all. */
export type CaseSeed = Pick<LaunchSpec, 'vendorData' | 'metaData' | 'networkConfig'>;

/**
 * How many boots a case sees, and how each after the first begins: the harness reboots the
 * instance after harvesting a boot (`harness`), or the instance reboots itself, as
 * power_state does (`instance`), in which case only the last boot can be harvested.
 */
export interface CaseBoots {
  readonly count: number;
  readonly rebootBy: 'harness' | 'instance';
  /** A shell command run inside the instance after a boot's harvest and before the harness reboots it (`cloud-init clean --logs`). */
  readonly beforeReboot: string | undefined;
}

export interface CaseRequirements {
  /** A semver range the image's cloud-init version must satisfy, e.g. `>=23.4`. */
  readonly cloudInit: string | undefined;
  readonly capabilities: readonly Capability[];
  readonly platforms: readonly string[] | undefined;
}

export interface CaseCollect {
  /** Absolute paths copied out of the instance after boot (missing ones are noted, not an error). */
  readonly files: readonly string[];
  /** name → shell command run inside the instance; stdout, stderr and exit code are kept. */
  readonly commands: Readonly<Record<string, string>>;
  /** Names of scripts in collectors/ to run besides the default ones. */
  readonly scripts: readonly string[];
}

export const DEFAULT_TIMEOUT_S = 300;
