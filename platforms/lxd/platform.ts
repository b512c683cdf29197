import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { AbortedError, HarnessError } from '../../core/errors.js';
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
  WaitStrategy,
} from '../types.js';
import { execWorks } from '../wait/index.js';
import { LxdApiError, type LxdClient } from './client.js';
import { aliasPath, deleteImage, getImage, imagePath, setAliases, toImageInfo, type LxdImage } from './images.js';
import { deleteInstance, instancePath, LxdInstance } from './instance.js';
import { labelConfig, labelsOf } from './labels.js';
import { pushPrebootFiles } from './preboot-files.js';
import { SEED_IDENTITY, SEED_PROPERTY, seedConfig } from './seed-templates.js';
import { checkRootPool } from './storage.js';
import { LXD_TARBALL_FORMAT, packUnifiedTarball } from './tarball.js';

/** Everything the driver offers; `harness platforms` lists it without connecting. */
export const LXD_CAPABILITIES: readonly Capability[] = [
  'reboot',
  'publish',
  'console-log',
  'image-import',
  'out-of-band-exec',
  'vendor-data',
  'meta-data',
  'network-config',
  'preboot-files',
];

const BUILD_HINT = 'build it with: npx harness image build --distro debian --release bookworm';
const SETUP_HINT = 'run `npx harness setup`';

interface LxdServer {
  readonly auth: string;
  readonly environment: { readonly server_version: string; readonly kernel_version: string };
}

interface LxdInstanceRecord {
  readonly name: string;
  readonly status: string;
  readonly created_at: string;
  readonly config: Readonly<Record<string, string>>;
}

/**
 * A network-config needs an interface to configure, and containers here have none (the
 * default profile has no NIC: there is no bridge to put one on). A point-to-point veth needs
 * no bridge; its end in the container is eth0, as on Canonical's LXD images. Only a launch
 * with a network-config gets it, so every other case boots as before.
 */
const NETWORK_CONFIG_NIC = { eth0: { type: 'nic', nictype: 'p2p', name: 'eth0' } } as const;

export class LxdPlatform implements Platform {
  readonly name = 'lxd';
  readonly capabilities: ReadonlySet<Capability> = new Set(LXD_CAPABILITIES);
  readonly limits: PlatformLimits = {
    // LXD stores config values in its database and sets no size of its own that we know of.
    userDataBytes: undefined,
    // Each instance is mostly CPU on this host (measured: about 10 CPU-seconds a case, no gain past the core count).
    defaultConcurrency: availableParallelism(),
    maxConcurrency: undefined,
    bootTimeoutFactor: 1,
  };
  // LXD's exec goes through the daemon, so it answers as soon as the container runs.
  readonly readiness: WaitStrategy = execWorks();
  /**
   * How importImage packs a root filesystem: every image it packs records its seed templates'
   * identity under this property, so images/build-image.ts rebuilds one packed with others.
   */
  readonly imageFormat = { property: SEED_PROPERTY, identity: SEED_IDENTITY } as const;
  private readonly client: LxdClient;

  constructor(client: LxdClient) {
    this.client = client;
  }

  async connect(): Promise<void> {
    const server = await this.client.get<LxdServer>('/1.0');
    if (server.auth !== 'trusted') {
      throw new HarnessError('PLATFORM_PERMISSION', `LXD on ${this.client.socketPath} does not trust this user`, {
        hint: 'run as root or as a member of the lxd group',
      });
    }
    const root = await checkRootPool(this.client);
    if (!root.ok) throw new HarnessError('SETUP', `LXD cannot create instances: ${root.problem}`, { hint: SETUP_HINT });
  }

  async describe(): Promise<PlatformDescription> {
    const server = await this.client.get<LxdServer>('/1.0');
    const root = await checkRootPool(this.client);
    const version = server.environment.server_version;
    return {
      summary: root.ok ? `LXD ${version}, storage pool ${root.pool.name} (${root.pool.driver})` : `LXD ${version}, no storage pool (${root.problem})`,
      facts: {
        serverVersion: version,
        kernelVersion: server.environment.kernel_version,
        storagePool: root.ok ? root.pool.name : 'none',
        storageDriver: root.ok ? root.pool.driver : 'none',
        socketPath: this.client.socketPath,
      },
    };
  }

  async resolveImage(ref: string): Promise<ImageInfo> {
    const image = await this.findImage(ref);
    if (image === undefined) {
      throw new HarnessError('IMAGE_NOT_FOUND', `LXD has no image "${ref}" (neither an alias nor a fingerprint)`, { hint: BUILD_HINT });
    }
    return image;
  }

  /** By alias first, then by fingerprint or a unique prefix of one, as `lxc` does. */
  async findImage(ref: string): Promise<ImageInfo | undefined> {
    if (ref === '') return undefined;
    const alias = await this.client.getOrUndefined<{ readonly target: string }>(aliasPath(ref));
    const fingerprint = alias?.target ?? (/^[0-9a-f]+$/i.test(ref) ? ref.toLowerCase() : undefined);
    return fingerprint === undefined ? undefined : getImage(this.client, fingerprint, ref);
  }

  async listImages(): Promise<readonly ImageInfo[]> {
    const images = await this.client.get<LxdImage[]>('/1.0/images?recursion=1');
    return images.map((image) => toImageInfo(image, image.aliases[0]?.name ?? image.fingerprint));
  }

  /** Idempotent, like `destroy`. */
  deleteImage(fingerprint: string): Promise<void> {
    return deleteImage(this.client, fingerprint);
  }

  /**
   * A root filesystem is packed here with the driver's seed templates, in a temp dir removed
   * afterwards; a unified tarball someone else packed is imported as it is.
   */
  async importImage(spec: ImportSpec): Promise<ImageInfo> {
    const { artifact } = spec;
    if (artifact.kind === 'image-file') {
      if (artifact.format !== LXD_TARBALL_FORMAT) {
        throw new HarnessError('NOT_SUPPORTED', `LXD imports no ${artifact.format} images (${artifact.path})`, {
          hint: `give it a root filesystem, or an ${LXD_TARBALL_FORMAT}`,
        });
      }
      return this.importTarball(artifact.path, spec);
    }
    const work = await mkdtemp(join(tmpdir(), 'cloudproof-lxd-pack-'));
    try {
      const tarball = await packUnifiedTarball(artifact, work, spec.signal === undefined ? {} : { signal: spec.signal });
      return await this.importTarball(tarball, spec);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async launch(spec: LaunchSpec): Promise<Instance> {
    if (spec.signal?.aborted) throw new AbortedError(`launch of ${spec.name}`);
    // spec.accessKey stays out of the guest: LXD's exec reaches it out of band, through the
    // daemon, so nothing in it needs the key, and a key in meta-data `public-keys` would have
    // cloud-init write it to root's authorized_keys, a change the cases that test SSH keys would see.
    const config = { ...seedConfig(spec), ...labelConfig(spec.labels) };
    const undo = (): Promise<void> => deleteInstance(this.client, spec.name);
    // Create and start are two operations: LXD 5.0 has no create-and-start in one request.
    const created = await this.client.startOperation('POST', '/1.0/instances', {
      body: {
        name: spec.name,
        type: 'container',
        source: { type: 'image', fingerprint: spec.imageFingerprint },
        profiles: ['default'],
        config,
        ...(spec.networkConfig === undefined ? {} : { devices: NETWORK_CONFIG_NIC }),
      },
    });
    await this.client.waitOrUndo(created.path, `launch of ${spec.name}`, spec.signal, undo);
    if (spec.files !== undefined) {
      // Between create and start the container exists but has never booted: the one moment a file lands before cloud-init could run.
      await pushPrebootFiles(this.client, spec.name, spec.files).catch((error: unknown) => undoAfter(error, undo, spec.name));
      if (spec.signal?.aborted) {
        await undo();
        throw new AbortedError(`launch of ${spec.name}`);
      }
    }
    try {
      const started = await this.client.startOperation('PUT', `${instancePath(spec.name)}/state`, { body: { action: 'start' } });
      await this.client.waitOrUndo(started.path, `launch of ${spec.name}`, spec.signal, undo);
    } catch (error) {
      await undoAfter(error, undo, spec.name);
    }
    return new LxdInstance(this.client, spec.name, spec.labels);
  }

  async listByLabel(labels: Labels): Promise<readonly InstanceSummary[]> {
    const instances = await this.client.get<LxdInstanceRecord[]>('/1.0/instances?recursion=1');
    return instances
      .map((instance) => ({ name: instance.name, labels: labelsOf(instance.config), status: instance.status, createdAt: instance.created_at }))
      .filter((summary) => Object.entries(labels).every(([key, value]) => summary.labels[key] === value));
  }

  destroy(name: string): Promise<void> {
    return deleteInstance(this.client, name);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private async importTarball(path: string, spec: ImportSpec): Promise<ImageInfo> {
    if (!(await stat(path).catch(() => undefined))?.isFile()) {
      throw new HarnessError('IMAGE_NOT_FOUND', `image artifact ${path} does not exist`, { hint: BUILD_HINT });
    }
    const hash = createHash('sha256');
    const started = await this.client.startOperation('POST', '/1.0/images', {
      rawBody: createReadStream(path).pipe(hashing(hash)),
      headers: { 'x-lxd-properties': new URLSearchParams(spec.properties).toString(), 'x-lxd-public': '0' },
      ...(spec.signal === undefined ? {} : { signal: spec.signal }),
    });
    const { fingerprint, created } = await this.finishImport(started.path, path, hash, spec);
    try {
      await setAliases(this.client, fingerprint, spec.aliases);
    } catch (error) {
      if (created) await deleteImage(this.client, fingerprint);
      throw error;
    }
    return this.resolveImage(spec.aliases[0] ?? fingerprint);
  }

  /**
   * LXD refuses to import an image it already has, failing the operation. A unified tarball's
   * fingerprint is its sha256, so the hash taken while uploading tells whether that is why;
   * then the existing image only gets this import's properties.
   */
  private async finishImport(operationPath: string, path: string, hash: Hash, spec: ImportSpec): Promise<{ fingerprint: string; created: boolean }> {
    try {
      const operation = await this.client.waitOrUndo(operationPath, `import of ${path}`, spec.signal, (done) => deleteImage(this.client, String(done.metadata?.fingerprint)));
      return { fingerprint: String(operation.metadata?.fingerprint), created: true };
    } catch (error) {
      if (!(error instanceof LxdApiError)) throw error;
      const fingerprint = hash.digest('hex');
      const existing = await this.client.getOrUndefined<LxdImage>(imagePath(fingerprint));
      if (existing === undefined) throw error;
      await this.client.sync('PATCH', imagePath(fingerprint), { body: { properties: { ...existing.properties, ...spec.properties } } });
      return { fingerprint, created: false };
    }
  }
}

/** Sends every byte on unchanged and feeds it to `hash` on the way. */
function hashing(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

/** Removes a half-launched instance, then rethrows why the launch failed (saying so if the removal failed too). */
async function undoAfter(error: unknown, undo: () => Promise<void>, name: string): Promise<never> {
  if (error instanceof AbortedError) throw error; // waitOrUndo has already removed it
  try {
    await undo();
  } catch (cleanupError) {
    throw new HarnessError('PLATFORM_API', `${(error as Error).message}; removing the half-launched ${name} failed too: ${(cleanupError as Error).message}`, {
      hint: `remove it by hand: lxc delete --force ${name}`,
      cause: error,
    });
  }
  throw error;
}
