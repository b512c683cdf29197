/**
 * Where boot times are kept across runs. The embedded SQLite store is the default; the CI
 * farm's PostgreSQL store implements the same interface, so nothing here names a database.
 */
export interface HistoryStore {
  /** Records a run and all its timings at once, or nothing of it; a run recorded before is replaced, never doubled. */
  recordRun(run: HistoryRun, timings: readonly Timing[]): Promise<'added' | 'replaced'>;
  /** One series, oldest run first. */
  series(key: SeriesKey): Promise<SeriesPoint[]>;
  /** Every series the filter lets through, each oldest run first, read at once: `harness trends` looks at all of them. */
  allSeries(filter?: SeriesFilter): Promise<Series[]>;
  /** Runs recorded, oldest first. */
  listRuns(filter?: { readonly platform?: string }): Promise<HistoryRun[]>;
  close(): Promise<void>;
}

export interface HistoryRun {
  readonly runId: string;
  readonly startedAt: string;
  readonly platform: string;
  readonly build: BuildKey;
  readonly harnessVersion: string;
}

/** A build under test as history tells builds apart: by the artifact, and by commit when it was built from a tree. */
export interface BuildKey {
  readonly kind: 'none' | 'deb' | 'source' | 'repo';
  /** sha256 of the cloud-init package installed (the first artifact when none is cloud-init); undefined without artifacts. */
  readonly sha256: string | undefined;
  readonly commit: string | undefined;
  /** `git describe` of a source build, for people. */
  readonly describe: string | undefined;
}

/**
 * What a timing measures: a cloud-init stage (`module` a config module of it, or undefined
 * for the whole stage), cloud-init as a whole, a figure of `systemd-analyze time` or a
 * unit of `systemd-analyze blame`.
 */
export type TimingSeries =
  | { readonly stage: 'init-local' | 'init' | 'modules-config' | 'modules-final'; readonly module: string | undefined }
  | { readonly stage: 'cloud-init'; readonly module: undefined }
  | { readonly stage: 'systemd'; readonly module: string }
  | { readonly stage: 'systemd-blame'; readonly module: string };

export type Timing = TimingSeries & {
  readonly case: string;
  readonly image: string;
  readonly imageFingerprint: string;
  readonly boot: number;
  /** The cell's verdict, so a series can leave out boots that failed. */
  readonly verdict: string | undefined;
  readonly ms: number;
};

export type SeriesKey = TimingSeries & {
  readonly platform: string;
  readonly image: string;
  readonly case: string;
  readonly boot: number;
  /** Only this build's runs; every build's when absent. */
  readonly build?: { readonly sha256?: string; readonly commit?: string };
};

export interface SeriesPoint {
  readonly runId: string;
  readonly startedAt: string;
  readonly build: BuildKey;
  readonly imageFingerprint: string;
  readonly verdict: string | undefined;
  readonly ms: number;
}

/** Narrows allSeries to one platform, image or case; absent fields let every value through. */
export interface SeriesFilter {
  readonly platform?: string;
  readonly image?: string;
  readonly case?: string;
}

export interface Series {
  readonly key: SeriesKey;
  readonly points: readonly SeriesPoint[];
}

