/**
 * The contract between the harness and every platform driver; docs/platforms.md is the
 * standard that says what each method MUST and SHOULD do, and `harness conformance`
 * checks it on the real platform. Nothing from LXD, qemu or an SDK crosses it. A driver
 * lives in platforms/<name>/ (or in a package of its own, loaded with --platform-module)
 * and default-exports a `PlatformDriver`.
 */
import type { Capability } from '../core/capabilities.js';

export type { Capability, DriverCapability, KnownCapability } from '../core/capabilities.js';

/** Labels the harness puts on everything it creates; `harness gc` finds leftovers by them. */
export type Labels = Readonly<Record<string, string>>;

export interface ImageInfo {
  /** What the user named (an alias such as `cloudproof/debian/bookworm`). */
  readonly ref: string;
  /** A content identity that changes whenever the image does. */
  readonly fingerprint: string;
  readonly aliases: readonly string[];
  /** Free-form facts the image builder recorded (core/image-names.ts names the harness's own). */
  readonly properties: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly sizeBytes: number;
  /** When an instance was last made from it; absent when never, or when the platform does not say. */
  readonly lastUsedAt?: string;
}

/**
 * The key the harness makes for each run and hands to every launch. A driver whose
 * transport is SSH authorizes it for root (or a user with passwordless sudo) through the platform's own means (meta-data
 * `public-keys` on NoCloud-style platforms, a key pair on a cloud); it never travels in
 * the case's user-data or vendor-data. A driver with out-of-band exec needs no key and
 * should leave the guest untouched by it.
 */
export interface AccessKey {
  /** One OpenSSH public key line: `ssh-ed25519 AAAA... comment`. */
  readonly publicKey: string;
  /** The private half in OpenSSH format, for drivers that connect with it. */
  readonly privateKey: string;
}

export interface LaunchSpec {
  /** Unique, chosen by the caller, valid as a hostname (letters, digits, dashes; ≤ 63). */
  readonly name: string;
  /** Fingerprint of an image from `resolveImage`. */
  readonly imageFingerprint: string;
  /** The exact user-data the instance's datasource serves (any format cloud-init reads). */
  readonly userData: string;
  /** Served as vendor-data; needs 'vendor-data'. Absent: the platform serves none. */
  readonly vendorData?: string;
  /**
   * Keys merged into the instance's meta-data; needs 'meta-data'. `instance-id` and
   * `local-hostname` stay the platform's, so every launch is a first boot.
   */
  readonly metaData?: Readonly<Record<string, unknown>>;
  /** Network configuration (version 1 or 2, as YAML) the datasource serves; needs 'network-config'. */
  readonly networkConfig?: string;
  /**
   * Files written into the instance's filesystem before its first boot; needs
   * 'preboot-files'. What boot does to them is the guest's business: a file that tells
   * cloud-init not to run (/etc/cloud/cloud-init.disabled) is why this exists.
   */
  readonly files?: readonly PrebootFile[];
  readonly accessKey: AccessKey;
  /**
   * How the instance's exec, push and pull reach it: `out-of-band` needs
   * 'out-of-band-exec', `ssh` needs 'ssh' (the access key is authorized for the login only
   * then). Absent: the platform's default, its out-of-band path where it has one.
   */
  readonly transport?: Transport;
  readonly labels: Labels;
  readonly signal?: AbortSignal;
}

/** The paths a driver can serve exec, push and pull on (LaunchSpec.transport). */
export type Transport = 'out-of-band' | 'ssh';

/** Where a person or a program logs in to an instance over SSH with the run's access key. */
export interface SshEndpoint {
  readonly host: string;
  readonly port: number;
  /** Root, or a user who becomes root through `sudo -n` (cloud-init's default user). */
  readonly username: string;
}

/** A file a launch puts in place before the first boot; its directory must exist in the image. */
export interface PrebootFile {
  /** Absolute path in the guest. */
  readonly path: string;
  readonly content: Uint8Array | string;
  /** 0o644 unless said; owned by root. */
  readonly mode?: number;
}

export interface ExecSpec {
  /** argv, run as root; run a script with `['sh', '-c', script]` or by passing it on stdin to `sh -s`. */
  readonly command: readonly string[];
  readonly stdin?: Uint8Array | string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Host-side limit; the command is killed and a HarnessError with code EXEC_TIMEOUT thrown when it passes. */
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
  /** Which path serves exec, push and pull; a driver with one transport may leave it out. */
  readonly transport?: Transport;
  /** With 'ssh', on an instance whose transport is SSH: where the run's access key logs in. */
  readonly sshEndpoint?: SshEndpoint;
  /** Runs as root; exit code, stdin and binary-safe stdout/stderr; EXEC_TIMEOUT on timeoutMs, AbortedError on abort. */
  exec(spec: ExecSpec): Promise<ExecResult>;
  /** Binary-safe; replaces a file that is there. Creates no parent directories. */
  push(path: string, content: Uint8Array | string, options?: PushOptions): Promise<void>;
  /** Reads a file from the instance, following symlinks; `undefined` when it does not exist. */
  pull(path: string): Promise<Buffer | undefined>;
  /** Needs 'console-log'. Everything the instance printed on its console since launch, across reboots. */
  consoleLog(): Promise<string>;
  /** Needs 'reboot'. Returns only once the instance runs a new boot (its boot id changed) and can be exec'd in. */
  restart(signal?: AbortSignal): Promise<void>;
  /** Needs 'publish'. Stops the instance and publishes it as an image with these aliases. */
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

/**
 * What images/ hands a platform to import, by kind. Every image-importing platform takes
 * a root filesystem and packs it its own way (LXD: a unified tarball with its NoCloud
 * seed templates; qemu: a disk image).
 */
export type ImageArtifact = RootfsArtifact | ImageFileArtifact;

export interface RootfsArtifact {
  readonly kind: 'rootfs';
  /** The tree, owned as it is to be in the guest (built as root). */
  readonly dir: string;
  /** The distro's name for the architecture (amd64, arm64). */
  readonly architecture: string;
  readonly os: string;
  readonly release: string;
  readonly description: string;
}

/** An image already in one platform's own format; a platform refuses a format it does not read. */
export interface ImageFileArtifact {
  readonly kind: 'image-file';
  readonly format: string;
  readonly path: string;
}

export interface ImportSpec {
  readonly artifact: ImageArtifact;
  readonly aliases: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** Facts about the platform worth recording in run.json. */
export type PlatformFacts = Readonly<Record<string, string | number | boolean>>;

export interface PlatformDescription {
  /** One line for a run's plan, e.g. `LXD 5.0.2, storage pool cloudproof (btrfs)`. */
  readonly summary: string;
  readonly facts: PlatformFacts;
}

/** What a platform allows; the harness checks them before anything is launched. */
export interface PlatformLimits {
  /** The largest user-data in bytes the platform accepts (EC2: 16384); undefined when it sets none. */
  readonly userDataBytes: number | undefined;
  /** Instances at once when the user does not say: the cores of a host-bound platform, a cloud's quota. */
  readonly defaultConcurrency: number;
  /** Instances at once the platform allows at most; a larger --concurrency is bad input. */
  readonly maxConcurrency: number | undefined;
  /** Every boot timeout is multiplied by it: 1 where guests run at native speed, more under emulation. */
  readonly bootTimeoutFactor: number;
}

/**
 * Readiness: when the harness can reach a launched instance (its exec works), chosen by
 * the driver because only it knows its transport. cloud-init's own wait comes after.
 * Strategies to build on are in platforms/wait/.
 */
export interface WaitStrategy {
  /** What "ready" means here, as said in docs and run.json. */
  readonly description: string;
  /** Resolves once exec works; BOOT_TIMEOUT after timeoutMs, AbortedError on abort. */
  waitUntilReady(instance: Instance, options: WaitOptions): Promise<void>;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * How a platform packs imported root filesystems today, which it stamps on every image it
 * packs: images/ rebuilds an image whose stamp differs (the driver's seed templates
 * changed) although the recipe it was built from did not.
 */
export interface ImageFormat {
  /** The image property holding the stamp. */
  readonly property: string;
  readonly identity: string;
}

export interface Platform {
  readonly name: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly limits: PlatformLimits;
  readonly readiness: WaitStrategy;
  /** With 'image-import': what an image packed here today carries; absent when packing has no variants. */
  readonly imageFormat?: ImageFormat;
  /**
   * With 'image-import': packages its guests need in the root filesystem beyond the
   * distro's recipe (a VM's kernel, initramfs and guest agent); they become part of the
   * recipe, and so of its hash. Absent: the recipe as it is (a container shares the host's kernel).
   */
  readonly guestPackages?: readonly string[];
  /** Checks the platform answers; throws a HarnessError saying what to fix when not. */
  connect(): Promise<void>;
  describe(): Promise<PlatformDescription>;
  /** Throws a HarnessError with code IMAGE_NOT_FOUND when nothing answers to `ref`. */
  resolveImage(ref: string): Promise<ImageInfo>;
  findImage(ref: string): Promise<ImageInfo | undefined>;
  listImages(): Promise<readonly ImageInfo[]>;
  /** Idempotent. */
  deleteImage(fingerprint: string): Promise<void>;
  /** Needs 'image-import'. */
  importImage(spec: ImportSpec): Promise<ImageInfo>;
  /** Creates and starts an instance carrying `labels`. On failure, nothing it created is left behind. */
  launch(spec: LaunchSpec): Promise<Instance>;
  /** Every instance whose labels include all of `labels`, including those a killed run left. */
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

/** What a driver module exports as its default. */
export interface PlatformDriver {
  readonly name: string;
  readonly description: string;
  /** What every platform it creates offers; `harness platforms` reads it without connecting. */
  readonly capabilities: readonly Capability[];
  create(options: PlatformOptions): Platform;
  setupSteps(options: PlatformOptions): readonly SetupStep[];
}

/** What the harness hands a driver: read once by harness/config.ts and the CLI. */
export interface PlatformOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The driver's own settings (`--platform-option key=value`, repeatable). The driver
   * validates them and throws a UsageError naming a key it does not know.
   */
  readonly settings: Readonly<Record<string, string>>;
  /** A folder the driver may keep state in that must outlive a process (the fake's instances). */
  readonly stateDir: string;
}
