/**
 * How long one boot of a cell took, measured inside the guest: cloud-init's stages and
 * modules from `cloud-init analyze dump`, and systemd's figures from `systemd-analyze`.
 * Kept in run.json with each cell (one entry per boot) and in the history store. A figure
 * that could not be measured is absent and named with the reason, never a 0.
 */
export interface BootTimes {
  /** 1-based, as the case's boots are counted. */
  readonly boot: number;
  /** Every stage this boot ran, in the order cloud-init ran them. */
  readonly stages: readonly StageTime[];
  readonly missingStages: readonly Missing<BootStage>[];
  /** The sum of the stages' durations, as `cloud-init analyze show` totals a boot; undefined when no stage was measured. */
  readonly cloudInitMs: number | undefined;
  readonly systemd: SystemdTimes;
}

/** The names the issue and `cloud-init analyze show` use; `init` is the event name `init-network`. */
export const BOOT_STAGES = ['init-local', 'init', 'modules-config', 'modules-final'] as const;
export type BootStage = (typeof BOOT_STAGES)[number];

export interface StageTime {
  readonly stage: BootStage;
  readonly ms: number;
  /** The stage's `config-<module>` events, by module name as cloud-init spells it (`set_hostname`, `scripts-user`). */
  readonly modules: readonly ModuleTime[];
}

export interface ModuleTime {
  readonly module: string;
  readonly ms: number;
  /** The finish event's result: SUCCESS, WARN or FAIL. */
  readonly result: string | undefined;
}

/** Figures of `systemd-analyze time`, in the order it prints them. */
export const SYSTEMD_FIGURES = ['firmware', 'loader', 'kernel', 'initrd', 'userspace', 'total'] as const;
export type SystemdFigure = (typeof SYSTEMD_FIGURES)[number];

export interface SystemdTimes {
  readonly figures: Partial<Readonly<Record<SystemdFigure, number>>>;
  readonly missing: readonly Missing<SystemdFigure>[];
  /** `graphical.target reached after …`: the default target and when userspace reached it. */
  readonly target: { readonly unit: string; readonly ms: number } | undefined;
  /** `systemd-analyze blame`: each unit's start-up time, slowest first; empty with `blameMissing` when it gave none. */
  readonly blame: readonly { readonly unit: string; readonly ms: number }[];
  readonly blameMissing: string | undefined;
}

export interface Missing<Name extends string> {
  readonly name: Name;
  readonly reason: string;
}
