import {
  AbortedError,
  execWorks,
  HarnessError,
  IMAGE_PROPERTY,
  type Capability,
  type ImageInfo,
  type Instance,
  type InstanceSummary,
  type Labels,
  type LaunchSpec,
  type Platform,
  type PlatformDescription,
  type PlatformLimits,
} from 'cloudproof/platform';
import { SimulatedCloudApi, type CloudImage } from './cloud-api.js';
import { QUOTA, terminateIfThere, translated } from './boundary.js';
import { SimulatedCloudInstance } from './instance.js';

const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['reboot', 'console-log', 'vendor-data', 'meta-data']);

export class SimulatedCloudPlatform implements Platform {
  readonly name = 'simulated-cloud';
  readonly capabilities = CAPABILITIES;
  /** A cloud's limits are its own: EC2's user-data cap, the account's server quota, not this host's cores. */
  readonly limits: PlatformLimits = { userDataBytes: 16_384, defaultConcurrency: 2, maxConcurrency: QUOTA, bootTimeoutFactor: 1 };
  readonly readiness = execWorks({ pollMs: 200 });
  private readonly api: SimulatedCloudApi;

  constructor(stateDir: string, region: string) {
    this.api = new SimulatedCloudApi(stateDir, region, QUOTA);
  }

  async connect(): Promise<void> {}

  async describe(): Promise<PlatformDescription> {
    return { summary: `simulated cloud, region ${this.api.region}`, facts: { region: this.api.region, quota: QUOTA } };
  }

  async resolveImage(ref: string): Promise<ImageInfo> {
    const image = await this.findImage(ref);
    if (image === undefined) {
      throw new HarnessError('IMAGE_NOT_FOUND', `the simulated cloud has no image "${ref}"`, { hint: `its images: ${this.api.images().map((entry) => entry.name).join(', ')}` });
    }
    return image;
  }

  async findImage(ref: string): Promise<ImageInfo | undefined> {
    const image = this.api.images().find((entry) => entry.id === ref || entry.name === ref);
    return image === undefined ? undefined : toImageInfo(image, ref);
  }

  async listImages(): Promise<readonly ImageInfo[]> {
    return this.api.images().map((image) => toImageInfo(image, image.name));
  }

  async deleteImage(): Promise<void> {
    throw new HarnessError('NOT_SUPPORTED', "the simulated cloud's images are the provider's: they cannot be deleted");
  }

  async importImage(): Promise<ImageInfo> {
    throw new HarnessError('NOT_SUPPORTED', 'the simulated cloud imports no images', { hint: 'name one of its images with --image' });
  }

  async launch(spec: LaunchSpec): Promise<Instance> {
    if (spec.signal?.aborted) throw new AbortedError(`launch of ${spec.name}`);
    // The cloud creates a server in one call, so a failed call leaves nothing to undo.
    const server = await translated(() => this.api.runServer(spec));
    return new SimulatedCloudInstance(this.api, server);
  }

  async listByLabel(labels: Labels): Promise<readonly InstanceSummary[]> {
    const servers = await this.api.servers(labels);
    return servers.map((server) => ({ name: server.name, labels: server.tags, status: server.state, createdAt: server.launchedAt }));
  }

  async destroy(name: string): Promise<void> {
    for (const server of (await this.api.servers()).filter((entry) => entry.name === name)) {
      await terminateIfThere(this.api, server.id);
    }
  }

  async close(): Promise<void> {}
}

function toImageInfo(image: CloudImage, ref: string): ImageInfo {
  return {
    ref,
    fingerprint: image.id,
    aliases: [image.name],
    properties: { [IMAGE_PROPERTY.cloudInit]: image.cloudInitVersion },
    createdAt: '2026-01-01T00:00:00Z',
    sizeBytes: 0,
  };
}
