import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { AbortedError, HarnessError } from '../../core/errors.js';
import { findExecutable } from '../../core/host/packages.js';
import { runTool } from '../../core/host/run-tool.js';
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
  PlatformOptions,
} from '../types.js';
import { decideAccelerator, type AcceleratorDecision } from './accelerator.js';
import { letGo } from './children.js';
import { DISK_PACKING, packDiskImage } from './disk-image.js';
import { QemuImageStore } from './image-store.js';
import { QemuInstance } from './instance.js';
import { writePrebootFiles } from './preboot-files.js';
import { isRunning, readVmRecord, readVmRecords, removeVmFiles, summaryOf, VM_FILES, vmPaths, writeVmRecord, type VmRecord } from './instance-record.js';
import { QEMU_READY } from './readiness.js';
import { writeSeedIso } from './seed-iso.js';
import { qemuSettingsOf, type QemuSettings } from './settings.js';
import { forwardedSshPort } from './usernet.js';
import { removeVm, startQemu, stopQemu } from './vm.js';

export const QEMU_CAPABILITIES: readonly Capability[] = [
  'reboot',
  'console-log',
  'image-import',
  'out-of-band-exec',
  'ssh',
  'vendor-data',
  'meta-data',
  'network-config',
  'preboot-files',
  'publish',
];

/** What a Debian tree needs to boot as a VM here and be reached out of band; resize2fs and growpart for cloud-init's disk modules. */
export const QEMU_GUEST_PACKAGES: readonly string[] = ['linux-image-cloud-amd64', 'initramfs-tools', 'qemu-guest-agent', 'e2fsprogs', 'cloud-guest-utils'];

/**
 * How much slower than a container a VM gets to cloud-init done (measured here: 4–5 s in
 * LXD; under TCG about 40 s, 70 s with two VMs on two cores).
 */
const BOOT_TIMEOUT_FACTOR = { kvm: 2, tcg: 5 } as const;

const BUILD_HINT = 'build it with: npx harness image build --platform qemu --release bookworm';
const SETUP_HINT = 'run `npx harness setup --platform qemu`';
const HOST_TOOLS = ['qemu-img', 'genisoimage'] as const;

export class QemuPlatform implements Platform {
  readonly name = 'qemu';
  readonly capabilities: ReadonlySet<Capability> = new Set(QEMU_CAPABILITIES);
  readonly readiness = QEMU_READY;
  readonly imageFormat = DISK_PACKING;
  readonly guestPackages = QEMU_GUEST_PACKAGES;
  private readonly settings: QemuSettings;
  private readonly stateDir: string;
  private readonly env: PlatformOptions['env'];
  private readonly images: QemuImageStore;
  private decision: Promise<AcceleratorDecision> | undefined;
  private decided: AcceleratorDecision | undefined;
  private readonly launched = new Set<QemuInstance>();

  constructor(options: PlatformOptions) {
    this.settings = qemuSettingsOf(options);
    this.stateDir = options.stateDir;
    this.env = options.env;
    this.images = new QemuImageStore(options.stateDir);
  }

  get limits(): PlatformLimits {
    return {
      userDataBytes: undefined,
      // Each VM keeps its vCPUs busy while it boots: more at once than cores only slows them all.
      defaultConcurrency: Math.max(1, Math.floor(availableParallelism() / this.settings.cpus)),
      maxConcurrency: undefined,
      // Before the probe has answered, the slower accelerator: a timeout too long costs less than a wrong failure.
      bootTimeoutFactor: BOOT_TIMEOUT_FACTOR[this.decided?.accelerator ?? 'tcg'],
    };
  }

  async connect(): Promise<void> {
    const missing: string[] = [];
    for (const tool of [this.settings.qemuBinary, ...HOST_TOOLS]) {
      if ((await findExecutable(tool, this.env)) === undefined && !tool.startsWith('/')) missing.push(tool);
    }
    if (missing.length > 0) throw new HarnessError('SETUP', `the qemu platform needs ${missing.join(', ')} on this host`, { hint: SETUP_HINT });
    try {
      await mkdir(this.stateDir, { recursive: true });
    } catch (error) {
      throw new HarnessError('PLATFORM_UNAVAILABLE', `the qemu platform cannot keep its VMs and images in ${this.stateDir}: ${(error as Error).message}`, { hint: 'make it writable, or set CLOUDPROOF_CACHE', cause: error });
    }
  }

  async describe(): Promise<PlatformDescription> {
    const version = (await runTool(this.settings.qemuBinary, ['--version'], { installHint: SETUP_HINT, errorCode: 'SETUP' })).split('\n')[0]?.trim() ?? 'unknown';
    const decision = await this.accelerator();
    return {
      summary: `${version}, ${decision.reason}`,
      facts: {
        qemuVersion: version,
        accelerator: decision.accelerator,
        acceleratorReason: decision.reason,
        bootTimeoutFactor: BOOT_TIMEOUT_FACTOR[decision.accelerator],
        memoryMiB: this.settings.memoryMiB,
        cpus: this.settings.cpus,
        ...(decision.accelerator === 'tcg' ? { cpuModel: this.settings.tcgCpu } : {}),
        stateDir: this.stateDir,
      },
    };
  }

  async resolveImage(ref: string): Promise<ImageInfo> {
    const image = await this.findImage(ref);
    if (image === undefined) throw new HarnessError('IMAGE_NOT_FOUND', `the qemu platform has no image "${ref}" (neither an alias nor a fingerprint)`, { hint: BUILD_HINT });
    return image;
  }

  findImage(ref: string): Promise<ImageInfo | undefined> {
    return this.images.find(ref);
  }

  listImages(): Promise<readonly ImageInfo[]> {
    return this.images.list();
  }

  deleteImage(fingerprint: string): Promise<void> {
    return this.images.delete(fingerprint);
  }

  async importImage(spec: ImportSpec): Promise<ImageInfo> {
    const { artifact } = spec;
    if (artifact.kind !== 'rootfs') {
      throw new HarnessError('NOT_SUPPORTED', `the qemu platform does not import ${artifact.format} files yet (${artifact.path})`, { hint: 'give it a root filesystem: npx harness image build --platform qemu' });
    }
    await mkdir(this.stateDir, { recursive: true });
    const work = await mkdtemp(join(this.stateDir, 'pack-'));
    try {
      const packed = await packDiskImage(artifact, work, spec.signal === undefined ? {} : { signal: spec.signal });
      return await this.images.add({
        files: { disk: packed.disk, kernel: packed.kernel, initrd: packed.initrd },
        fingerprint: packed.fingerprint,
        aliases: spec.aliases,
        properties: { ...spec.properties, [DISK_PACKING.property]: DISK_PACKING.identity },
        description: artifact.description,
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async launch(spec: LaunchSpec): Promise<Instance> {
    if (spec.signal?.aborted) throw new AbortedError(`launch of ${spec.name}`);
    const image = await this.images.paths(spec.imageFingerprint);
    if (image === undefined) throw new HarnessError('IMAGE_NOT_FOUND', `the qemu platform has no image ${spec.imageFingerprint}`, { hint: BUILD_HINT });
    if ((await readVmRecord(this.stateDir, spec.name)) !== undefined) {
      throw new HarnessError('PLATFORM_API', `a VM named ${spec.name} already exists`, { hint: 'choose another name, or remove it with `npx harness gc --platform qemu`' });
    }
    const { accelerator } = await this.accelerator(image.kernel);
    const record: VmRecord = {
      name: spec.name,
      labels: spec.labels,
      createdAt: new Date().toISOString(),
      imageFingerprint: spec.imageFingerprint,
      accelerator,
      ...(spec.transport === 'ssh' ? { transport: 'ssh' } : {}),
      ...vmPaths(this.stateDir, spec.name),
    };
    // The record first: a run killed from here on leaves nothing that gc cannot find.
    await writeVmRecord(record);
    let started: VmRecord = record;
    try {
      await mkdir(record.socketsDir, { recursive: true, mode: 0o700 });
      await runTool('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', image.disk, join(record.dir, VM_FILES.overlay)], { installHint: SETUP_HINT, errorCode: 'PLATFORM_API', ...(spec.signal === undefined ? {} : { signal: spec.signal }) });
      await writePrebootFiles(join(record.dir, VM_FILES.overlay), spec.files ?? [], spec.signal);
      await writeSeedIso(spec, join(record.dir, VM_FILES.seed), spec.signal);
      if (spec.signal?.aborted) throw new AbortedError(`launch of ${spec.name}`);
      started = { ...record, pid: await startQemu(record, { kernel: image.kernel, initrd: image.initrd, memoryMiB: this.settings.memoryMiB, cpus: this.settings.cpus, tcgCpu: this.settings.tcgCpu, qemuBinary: this.settings.qemuBinary }) };
      if (started.transport === 'ssh') {
        started = { ...started, ssh: { host: '127.0.0.1', port: await forwardedSshPort(started), username: this.settings.sshUser } };
        await writeFile(join(record.dir, VM_FILES.sshKey), spec.accessKey.privateKey, { mode: 0o600 });
      }
      await writeVmRecord(started);
    } catch (error) {
      await stopQemu(started).catch(() => undefined);
      await removeVmFiles(record);
      throw error;
    }
    const instance = new QemuInstance(started, BOOT_TIMEOUT_FACTOR[accelerator], this.images, spec.accessKey.privateKey);
    this.launched.add(instance);
    return instance;
  }

  async listByLabel(labels: Labels): Promise<readonly InstanceSummary[]> {
    const records = await readVmRecords(this.stateDir);
    const matching = records.filter((record) => Object.entries(labels).every(([key, value]) => record.labels[key] === value));
    return Promise.all(matching.map(summaryOf));
  }

  async destroy(name: string): Promise<void> {
    const record = await readVmRecord(this.stateDir, name);
    if (record === undefined) return;
    await removeVm(record);
  }

  /**
   * Ends the agent connections of the VMs it launched. A VM not deleted by now is one the
   * run keeps (--keep-failed): it is let go, to outlive this process.
   */
  async close(): Promise<void> {
    for (const instance of this.launched) {
      instance.disconnect();
      if (instance.record.pid !== undefined && (await isRunning(instance.record))) letGo(instance.record.pid);
    }
    this.launched.clear();
  }

  /** Decided once per platform, with the first image kernel at hand; describe() and launch() share the answer. */
  private accelerator(kernel?: string): Promise<AcceleratorDecision> {
    this.decision ??= (async () => {
      const probeKernel = kernel ?? (await this.anyKernel());
      const decision = await decideAccelerator(this.settings.accel, this.settings.qemuBinary, probeKernel);
      this.decided = decision;
      return decision;
    })();
    return this.decision;
  }

  private async anyKernel(): Promise<string | undefined> {
    for (const image of await this.images.list()) {
      const paths = await this.images.paths(image.fingerprint);
      if (paths !== undefined) return paths.kernel;
    }
    return undefined;
  }
}
