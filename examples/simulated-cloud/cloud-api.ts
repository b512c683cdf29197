import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SimulatedMachine } from 'cloudproof/platform/testing';
import type { LaunchSpec } from 'cloudproof/platform';

/**
 * A pretend cloud with the shape of a real one: servers made from image ids, tagged,
 * listed by tag, rebooted and terminated through an API that answers with errors of its
 * own. Its server records live in a state file, as a cloud's live on the cloud, so a
 * second process sees what the first made; the machines behind them are simulated.
 */
export class CloudApiError extends Error {
  readonly code: 'ImageNotFound' | 'ServerNotFound' | 'QuotaExceeded';

  constructor(code: CloudApiError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

export interface Server {
  readonly id: string;
  readonly name: string;
  readonly imageId: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly state: 'running' | 'terminated';
  readonly launchedAt: string;
}

export interface CloudImage {
  readonly id: string;
  readonly name: string;
  readonly cloudInitVersion: string;
}

const IMAGES: readonly CloudImage[] = [{ id: 'img-0d1e5e1', name: 'sim/debian-12', cloudInitVersion: '22.4.2' }];

export class SimulatedCloudApi {
  readonly region: string;
  private readonly stateFile: string;
  private readonly quota: number;
  /** Only the servers this process launched can be reached; others can still be listed and terminated. */
  private readonly machines = new Map<string, SimulatedMachine>();
  /** Changes to the state file, one at a time: a read-modify-write each. */
  private changes: Promise<unknown> = Promise.resolve();

  constructor(stateDir: string, region: string, quota: number) {
    this.stateFile = join(stateDir, `${region}-servers.json`);
    this.region = region;
    this.quota = quota;
  }

  images(): readonly CloudImage[] {
    return IMAGES;
  }

  runServer(launch: LaunchSpec): Promise<Server> {
    return this.serialized(() => this.createServer(launch));
  }

  private async createServer(launch: LaunchSpec): Promise<Server> {
    const image = IMAGES.find((candidate) => candidate.id === launch.imageFingerprint);
    if (image === undefined) throw new CloudApiError('ImageNotFound', `image ${launch.imageFingerprint} does not exist in ${this.region}`);
    const servers = await this.servers();
    if (servers.filter((server) => server.state === 'running').length >= this.quota) {
      throw new CloudApiError('QuotaExceeded', `${this.region} allows ${this.quota} running servers`);
    }
    const server: Server = {
      id: `srv-${createHash('sha256').update(`${this.region}/${launch.name}/${servers.length}`).digest('hex').slice(0, 12)}`,
      name: launch.name,
      imageId: image.id,
      tags: launch.labels,
      state: 'running',
      launchedAt: new Date().toISOString(),
    };
    const machine = new SimulatedMachine(launch, image.cloudInitVersion);
    // What the cloud's metadata service does with a key pair: cloud-init puts it in root's authorized_keys.
    await machine.exec({ command: ['mkdir', '-p', '/root/.ssh'] });
    machine.push('/root/.ssh/authorized_keys', `${launch.accessKey.publicKey}\n`, { mode: 0o600 });
    this.machines.set(server.id, machine);
    await this.save([...servers, server]);
    return server;
  }

  async servers(tags: Readonly<Record<string, string>> = {}): Promise<readonly Server[]> {
    const all = JSON.parse(await readFile(this.stateFile, 'utf8').catch(() => '[]')) as Server[];
    return all.filter((server) => Object.entries(tags).every(([key, value]) => server.tags[key] === value));
  }

  machine(id: string): SimulatedMachine {
    const machine = this.machines.get(id);
    if (machine === undefined) throw new CloudApiError('ServerNotFound', `server ${id} is not running in this process`);
    return machine;
  }

  async reboot(id: string): Promise<void> {
    this.machine(id).reboot();
  }

  /** As on a real cloud, a terminated server is gone from the list, and terminating an unknown one is an error. */
  terminate(id: string): Promise<void> {
    return this.serialized(() => this.removeServer(id));
  }

  private async removeServer(id: string): Promise<void> {
    const servers = await this.servers();
    if (!servers.some((server) => server.id === id)) throw new CloudApiError('ServerNotFound', `no server ${id} in ${this.region}`);
    this.machines.delete(id);
    await this.save(servers.filter((server) => server.id !== id));
  }

  private serialized<T>(change: () => Promise<T>): Promise<T> {
    const next = this.changes.then(change, change);
    this.changes = next.catch(() => undefined);
    return next;
  }

  private async save(servers: readonly Server[]): Promise<void> {
    await mkdir(join(this.stateFile, '..'), { recursive: true });
    await writeFile(`${this.stateFile}.tmp`, JSON.stringify(servers, null, 2));
    await rename(`${this.stateFile}.tmp`, this.stateFile);
  }
}
