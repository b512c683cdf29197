/**
 * The contract between the run loop and every platform driver. Nothing from LXD, qemu or
 * an SDK crosses it: the run loop sees only these types. A driver lives in
 * platforms/<name>/ and exports a `PlatformDriver` from its index.ts.
 */

/** What a platform can do beyond launch/exec/push/pull/delete. Cases declare what they need. */
export type Capability =
  | 'reboot' // Instance.restart() keeps the instance and boots it again
  | 'publish' // Instance.publish() turns a stopped instance into an image
  | 'console-log' // Instance.consoleLog() returns what the instance printed on its console
  | 'image-import' // Platform.importImage() accepts an image artifact built by images/
  | 'ssh' // the instance is reached over SSH (a later driver)
  | 'out-of-band-exec'; // exec works without guest networking (LXD's API, a serial console)

export const ALL_CAPABILITIES: readonly Capability[] = [
  'reboot',
  'publish',
  'console-log',
  'image-import',
  'ssh',
  'out-of-band-exec',
];

/** Labels the harness puts on everything it creates; `harness gc` finds leftovers by them. */
export type Labels = Readonly<Record<string, string>>;

export interface ImageInfo {
  /** What the user named (an alias such as `cloudproof/debian/bookworm`). */
  readonly ref: string;
  /** A content identity that changes whenever the image does. */
  readonly fingerprint: string;
  readonly aliases: readonly string[];
  /** Free-form facts the image builder recorded (recipe hash, cloud-init version, ...). */
  readonly properties: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly sizeBytes: number;
  /** When an instance was last made from it; absent when never, or when the platform does not say. */
  readonly lastUsedAt?: string;
}

export interface LaunchSpec {
  /** Unique, chosen by the caller, valid as a hostname (letters, digits, dashes; ≤ 63). */
  readonly name: string;
  /** Fingerprint of an image from `resolveImage`. */
  readonly imageFingerprint: string;
  /** The exact user-data the instance's datasource serves (any format cloud-init reads). */
  readonly userData: string;
  readonly labels: Labels;
  readonly signal?: AbortSignal;
}

export interface ExecSpec {
  /** argv; run a script with `['sh', '-c', script]` or by passing it on stdin to `sh -s`. */
  readonly command: readonly string[];
  readonly stdin?: Uint8Array | string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Host-side limit; the command is killed and `ExecTimeoutError` thrown when it passes. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

export interface PushOptions {
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

export interface Instance {
  readonly name: string;
  readonly labels: Labels;
  exec(spec: ExecSpec): Promise<ExecResult>;
  push(path: string, content: Uint8Array | string, options?: PushOptions): Promise<void>;
  /** Reads a file from the instance; `undefined` when it does not exist. */
  pull(path: string): Promise<Buffer | undefined>;
  /** Requires the 'console-log' capability. */
  consoleLog(): Promise<string>;
  /** Requires 'reboot'. Returns once the platform reports the instance running again. */
  restart(signal?: AbortSignal): Promise<void>;
  /** Requires 'publish'. Stops the instance and publishes it as an image with these aliases. */
  publish(spec: PublishSpec): Promise<ImageInfo>;
  /** Stops and removes the instance; a second call, or one on a vanished instance, is a no-op. */
  delete(): Promise<void>;
  /** One line telling a person how to get a shell in this instance (for --keep-failed). */
  howToReach(): string;
}

export interface PublishSpec {
  readonly aliases: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface InstanceSummary {
  readonly name: string;
  readonly labels: Labels;
  readonly status: string;
  readonly createdAt: string;
}

/** What images/ produces for a platform to import. */
export type ImageArtifact = {
  readonly kind: 'lxd-unified-tarball';
  readonly path: string;
};

export interface ImportSpec {
  readonly artifact: ImageArtifact;
  readonly aliases: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** Facts about the platform worth recording in run.json. */
export type PlatformFacts = Readonly<Record<string, string | number | boolean>>;

export interface Platform {
  readonly name: string;
  readonly capabilities: ReadonlySet<Capability>;
  /** Checks the platform answers; throws a HarnessError saying what to fix when not. */
  connect(): Promise<void>;
  describe(): Promise<PlatformFacts>;
  /** Throws a HarnessError with code IMAGE_NOT_FOUND when nothing answers to `ref`. */
  resolveImage(ref: string): Promise<ImageInfo>;
  findImage(ref: string): Promise<ImageInfo | undefined>;
  listImages(): Promise<readonly ImageInfo[]>;
  deleteImage(fingerprint: string): Promise<void>;
  /** Requires 'image-import'. */
  importImage(spec: ImportSpec): Promise<ImageInfo>;
  /** Creates and starts an instance. On failure, nothing it created is left behind. */
  launch(spec: LaunchSpec): Promise<Instance>;
  /** Every instance whose labels include all of `labels`. */
  listByLabel(labels: Labels): Promise<readonly InstanceSummary[]>;
  /** Stops and removes an instance by name; idempotent. */
  destroy(name: string): Promise<void>;
  /** Releases connections; the platform is unusable afterwards. */
  close(): Promise<void>;
}

/** A step of `harness setup`: checks one thing and fixes it where it can. */
export interface SetupStep {
  readonly title: string;
  /** Returns what it did, or why nothing was needed; throws a HarnessError with a hint otherwise. */
  run(context: SetupContext): Promise<string>;
}

export interface SetupContext {
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** What each platforms/<name>/index.ts exports as its default. */
export interface PlatformDriver {
  readonly name: string;
  readonly description: string;
  create(options: PlatformOptions): Platform;
  setupSteps(options: PlatformOptions): readonly SetupStep[];
}

/** Settings read once from the environment and flags by harness/config.ts. */
export interface PlatformOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
}
