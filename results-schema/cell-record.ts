import type { AppliedOverlay, CaseExpectations } from './case-expectations.js';
import type { Verdict } from './verdict.js';

/** What cell.json says about one (case, image) pair: written by the run loop, read by the checks. */
export interface CellImage {
  readonly ref: string;
  readonly fingerprint: string;
  readonly cloudInitVersion: string | undefined;
  /** Set when a build under test was injected: then `fingerprint` is the prepared image's (or the base's, for an upgrade). */
  readonly build?: CellBuild;
}

export interface CellBuild {
  readonly kind: 'deb' | 'source' | 'repo';
  readonly flow: 'prepared' | 'upgrade';
  readonly baseFingerprint: string;
}

/** `failed-to-boot`: the cell did not get as far as a whole harvest; `phase` says where it stopped. */
export type CellState = 'harvested' | 'skipped' | 'failed-to-boot';

export type CellPhase = 'launching' | 'booting' | 'upgrading' | 'harvesting' | 'rebooting' | 'destroying';

export interface PhaseTiming {
  readonly phase: string;
  readonly startedAt: string;
  readonly ms: number;
}

export interface BootRecord {
  readonly boot: number;
  /** Relative to the cell's folder; absent when this boot could not be harvested (the instance rebooted itself). */
  readonly dir: string | undefined;
}

export interface CellRecord {
  readonly case: string;
  readonly image: CellImage;
  /** What this case expects on this image after every expectations file, and the facts its checks read. */
  readonly expect: CaseExpectations;
  readonly facts: Readonly<Record<string, string>>;
  readonly platform: string;
  readonly instance: string | undefined;
  /**
   * What served exec, push and pull in the instance, for every step: the waits, the
   * harvest, before_reboot (a reboot itself is the driver's own); absent when the driver
   * has one transport and does not say, or nothing was launched. LaunchSpec.transport's values.
   */
  readonly transport?: 'out-of-band' | 'ssh';
  readonly state: CellState;
  /** Why the cell was skipped, or what went wrong before harvest finished. */
  readonly reason: string | undefined;
  readonly errorCode: string | undefined;
  /** The phase a failed-to-boot cell stopped in; absent in records written before it existed. */
  readonly phase?: CellPhase;
  /** Trouble that did not spoil the harvest (an instance that could not be destroyed after it). */
  readonly warnings?: readonly string[];
  /** Set when the cell is expected to fail (a known bug): why. Filled from the case and the expectations files. */
  readonly xfail?: string;
  /** Every expectations overlay that matched this cell: file, key and what it changed. */
  readonly expectationsApplied?: readonly AppliedOverlay[];
  readonly timings: readonly PhaseTiming[];
  /** A multi-boot case's boots, in order, and where each was harvested. */
  readonly boots?: readonly BootRecord[];
  /** Set when the case shared its boot with other cases (harness/packing/). */
  readonly sharedBoot?: SharedBoot;
  /** Where the checks should look, relative to the run folder. */
  readonly dir: string;
}

/**
 * A boot that several cases' cloud-configs shared: each case is judged on its own copy of
 * the harvest, as if the boot had been its own.
 */
export interface SharedBoot {
  /** The shared boot's own folder, relative to the run folder. */
  readonly dir: string;
  /** Every case that was in the boot, this one too. */
  readonly cases: readonly string[];
  /**
   * Set when the case did not pass in the shared boot and was run again alone, the verdict
   * it then has being the one reported: its verdict there, and where that harvest was kept
   * (relative to the cell's folder).
   */
  readonly rerunAlone?: { readonly verdictThere: Verdict; readonly keptIn: string };
}
