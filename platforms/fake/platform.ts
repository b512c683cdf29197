import { AbortedError, HarnessError } from '../../core/errors.js';
import { IMAGE_PROPERTY } from '../../core/image-names.js';
import type {
  Capability,
  ImageInfo,
  ImportSpec,
  Instance,
  InstanceSummary,
  Labels,
  LaunchSpec,
  Platform,
  PlatformDescription,
  PlatformLimits,
  PublishSpec,
  WaitStrategy,
} from '../types.js';
import { execWorks } from '../wait/index.js';
import type { FakeBehaviour } from './behaviour.js';
import type { FakeCall, FakeCallKind } from './calls.js';
import { FAKE_CAPABILITIES } from './capabilities.js';
import { DirectoryStore } from './directory-store.js';
import type { FakeFlaws } from './flaws.js';
import { FakeGuest } from './guest.js';
import type { GuestFiles } from './guest-files.js';
import { fingerprintOf } from './ids.js';
import { addImage, findImage, listed } from '../image-list.js';
import { importedImage } from './import-rootfs.js';
import { FakeInstance, type ExecHook, type InstanceHost } from './instance.js';
import { MemoryStore } from './memory-store.js';
import { requireCapability } from './require-capability.js';
import type { FakeStore, InstanceRecord } from './store.js';

export interface FakePlatformOptions {
  /** Platform.name; `fake` unless said (the broken drivers name themselves). */
  readonly name?: string;
  /** Where instance records and the image list persist; without it everything is in memory. */
  readonly stateDir?: string;
  /** What each launched instance does; a clean, instant boot unless said. */
  readonly behaviourOf?: (spec: LaunchSpec) => FakeBehaviour;
  /** Every capability but `ssh` unless said; a missing one is refused where it is needed. */
  readonly capabilities?: readonly Capability[];
  readonly limits?: Partial<PlatformLimits>;
  /** The images it starts with (with a stateDir: until images.json exists); DEFAULT_FAKE_IMAGE unless said. */
  readonly images?: readonly ImageInfo[];
  /** Answers commands before the guest's own vocabulary does. */
  readonly onExec?: ExecHook;
  readonly flaws?: FakeFlaws;
}

export const DEFAULT_FAKE_IMAGE: ImageInfo = {
  ref: 'cloudproof/debian/bookworm',
  fingerprint: 'f00d',
  aliases: ['cloudproof/debian/bookworm'],
  properties: { [IMAGE_PROPERTY.cloudInit]: '22.4.2-1' },
  createdAt: '2026-11-28T00:00:00Z',
  sizeBytes: 1,
};

const DEFAULT_LIMITS: PlatformLimits = { userDataBytes: 16384, defaultConcurrency: 2, maxConcurrency: 8, bootTimeoutFactor: 1 };
/** LaunchSpec.name must be a hostname; it is also the instance's file name in the state folder. */
const INSTANCE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** What the guest's log says when the image records no cloud-init version. */
const UNKNOWN_CLOUD_INIT = '22.4.2';

/**
 * The reference driver: an in-process platform that boots nothing yet keeps the whole
 * contract, deterministically. Each instance is a FakeGuest (a filesystem seeded with a
 * boot id, hostname, NoCloud seed and cloud-init.log, and a small exec vocabulary: see
 * guest-exec.ts) and a record in its FakeStore. It is the one test double of the unit
 * tests, and what the conformance suite is proven on.
 */
export class FakePlatform implements Platform {
  readonly name: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly limits: PlatformLimits;
  readonly readiness: WaitStrategy = execWorks();
  private readonly store: FakeStore;
  private readonly behaviourOf: (spec: LaunchSpec) => FakeBehaviour;
  private readonly host: InstanceHost;
  private readonly journal: FakeCall[] = [];
  /** What images published here hold, by fingerprint; in memory only, so another process launches them bare. */
  private readonly imageFiles = new Map<string, GuestFiles>();
  private closed = false;

  constructor(options: FakePlatformOptions = {}) {
    this.name = options.name ?? 'fake';
    this.capabilities = new Set(options.capabilities ?? FAKE_CAPABILITIES);
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    const images = options.images ?? [DEFAULT_FAKE_IMAGE];
    this.store = options.stateDir === undefined ? new MemoryStore(images) : new DirectoryStore(options.stateDir, images);
    this.behaviourOf = options.behaviourOf ?? (() => ({}));
    this.host = {
      capabilities: this.capabilities,
      flaws: options.flaws ?? {},
      store: this.store,
      onExec: options.onExec,
      record: (call) => this.journal.push(call),
      checkOpen: () => this.checkOpen(),
      publish: (guest, spec) => this.publishFrom(guest, spec),
    };
  }

  /** Everything asked of this platform and its instances so far (see FakeCall). */
  get calls(): readonly FakeCall[] {
    return this.journal;
  }

  callsOf<K extends FakeCallKind>(kind: K): readonly Extract<FakeCall, { readonly kind: K }>[] {
    return this.journal.filter((call): call is Extract<FakeCall, { readonly kind: K }> => call.kind === kind);
  }

  async connect(): Promise<void> {
    this.checkOpen();
    await this.store.check();
  }

  async describe(): Promise<PlatformDescription> {
    this.checkOpen();
    return { summary: 'fake platform (in-process)', facts: { fake: true } };
  }

  async resolveImage(ref: string): Promise<ImageInfo> {
    const image = await this.findImage(ref);
    if (image === undefined) throw new HarnessError('IMAGE_NOT_FOUND', `the fake platform has no image "${ref}" (neither an alias nor a fingerprint)`);
    return image;
  }

  async findImage(ref: string): Promise<ImageInfo | undefined> {
    this.checkOpen();
    return findImage(await this.store.images(), ref);
  }

  async listImages(): Promise<readonly ImageInfo[]> {
    this.checkOpen();
    return (await this.store.images()).map(listed);
  }

  async deleteImage(fingerprint: string): Promise<void> {
    this.journal.push({ kind: 'delete-image', fingerprint });
    this.checkOpen();
    await this.store.updateImages((images) => ({ images: images.filter((image) => image.fingerprint !== fingerprint), result: undefined }));
    this.imageFiles.delete(fingerprint);
  }

  async importImage(spec: ImportSpec): Promise<ImageInfo> {
    this.journal.push({ kind: 'import-image', spec });
    this.checkOpen();
    requireCapability(this.capabilities, 'image-import', 'importing an image');
    const image = await importedImage(spec, new Date().toISOString());
    if (spec.signal?.aborted) throw new AbortedError(`import of ${spec.artifact.kind === 'rootfs' ? spec.artifact.dir : spec.artifact.path}`);
    return listed(await this.store.updateImages((images) => addImage(images, image)));
  }

  /**
   * Create, then start, as LXD does; a start that fails removes what the create made
   * (unless the leaky-launch flaw), so nothing of a failed launch is left.
   */
  async launch(spec: LaunchSpec): Promise<Instance> {
    this.journal.push({ kind: 'launch', spec });
    this.checkOpen();
    if (spec.signal?.aborted) throw new AbortedError(`launch of ${spec.name}`);
    this.checkLaunchSpec(spec);
    if ((await this.store.instance(spec.name)) !== undefined) {
      throw new HarnessError('PLATFORM_API', `the fake platform already has an instance ${spec.name}`, { hint: `remove it first: destroy("${spec.name}")` });
    }
    const createdAt = new Date().toISOString();
    const record: InstanceRecord = { name: spec.name, labels: { ...spec.labels }, status: 'Stopped', createdAt, imageFingerprint: spec.imageFingerprint };
    await this.store.putInstance(record);
    try {
      const image = await this.touchImage(spec.imageFingerprint, createdAt);
      const behaviour = this.behaviourOf(spec);
      if (behaviour.launchFails) throw new HarnessError('PLATFORM_API', `the fake platform failed to start ${spec.name} (as the test asked)`);
      const guest = new FakeGuest({ launch: spec, behaviour, base: this.imageFiles.get(image.fingerprint), cloudInitVersion: upstreamVersion(image), lateFiles: this.host.flaws.latePrebootFiles === true });
      if (spec.signal?.aborted) throw new AbortedError(`launch of ${spec.name}`);
      await this.store.putInstance({ ...record, status: 'Running' });
      return new FakeInstance(this.host, guest, record.labels);
    } catch (error) {
      if (!this.host.flaws.leakyLaunch) await this.store.removeInstance(spec.name);
      throw error;
    }
  }

  async listByLabel(labels: Labels): Promise<readonly InstanceSummary[]> {
    this.checkOpen();
    return (await this.store.instances())
      .filter((record) => Object.entries(labels).every(([key, value]) => record.labels[key] === value))
      .map((record) => ({ name: record.name, labels: record.labels, status: record.status, createdAt: record.createdAt }));
  }

  async destroy(name: string): Promise<void> {
    this.journal.push({ kind: 'destroy', instance: name });
    this.checkOpen();
    await this.store.removeInstance(name);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new HarnessError('PLATFORM_API', `the ${this.name} platform is closed`);
  }

  /** What a real platform refuses before it creates anything. */
  private checkLaunchSpec(spec: LaunchSpec): void {
    if (!INSTANCE_NAME.test(spec.name)) {
      throw new HarnessError('PLATFORM_API', `"${spec.name}" is not a valid instance name`, { hint: 'letters, digits and dashes, at most 63, not starting or ending with a dash' });
    }
    if (spec.vendorData !== undefined) requireCapability(this.capabilities, 'vendor-data', `launching ${spec.name} with vendor-data`);
    if (spec.metaData !== undefined) requireCapability(this.capabilities, 'meta-data', `launching ${spec.name} with meta-data`);
    if (spec.networkConfig !== undefined) requireCapability(this.capabilities, 'network-config', `launching ${spec.name} with a network configuration`);
    if (spec.files !== undefined) requireCapability(this.capabilities, 'preboot-files', `launching ${spec.name} with files before its first boot`);
    const bytes = Buffer.byteLength(spec.userData);
    if (this.limits.userDataBytes !== undefined && bytes > this.limits.userDataBytes) {
      throw new HarnessError('LIMIT_EXCEEDED', `the user-data of ${spec.name} is ${bytes} bytes; the fake platform takes at most ${this.limits.userDataBytes}`);
    }
  }

  /** The image a launch uses, marked as used now; IMAGE_NOT_FOUND when there is none by that fingerprint. */
  private async touchImage(fingerprint: string, now: string): Promise<ImageInfo> {
    const image = await this.store.updateImages((images) => {
      const found = images.find((candidate) => candidate.fingerprint === fingerprint);
      const used = found === undefined ? undefined : { ...found, lastUsedAt: now };
      return { images: images.map((candidate) => (candidate === found && used !== undefined ? used : candidate)), result: used };
    });
    if (image === undefined) {
      throw new HarnessError('IMAGE_NOT_FOUND', `the fake platform has no image with fingerprint ${fingerprint}`, { hint: 'launch from a fingerprint that resolveImage returned' });
    }
    return listed(image);
  }

  private async publishFrom(guest: FakeGuest, spec: PublishSpec): Promise<ImageInfo> {
    const files = guest.files.copyFor(`the image of ${guest.name}`);
    const fingerprint = fingerprintOf(['publish', guest.name, String(guest.bootCount), files.digest()]);
    const made: ImageInfo = {
      ref: spec.aliases[0] ?? fingerprint,
      fingerprint,
      aliases: [...spec.aliases],
      properties: { ...spec.properties },
      createdAt: new Date().toISOString(),
      sizeBytes: files.sizeBytes(),
    };
    const image = await this.store.updateImages((images) => addImage(images, made));
    this.imageFiles.set(fingerprint, files);
    return { ...image, ref: made.ref };
  }
}

/** `22.4.2-1` (a Debian version) → `22.4.2`, as cloud-init names itself in its log. */
function upstreamVersion(image: ImageInfo): string {
  const version = image.properties[IMAGE_PROPERTY.cloudInit];
  return version === undefined ? UNKNOWN_CLOUD_INIT : version.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}
