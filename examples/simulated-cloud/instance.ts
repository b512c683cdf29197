import {
  HarnessError,
  restartIntoNewBoot,
  type ExecResult,
  type ExecSpec,
  type ImageInfo,
  type Instance,
  type Labels,
  type PushOptions,
} from 'cloudproof/platform';
import type { Server, SimulatedCloudApi } from './cloud-api.js';
import { terminateIfThere, translated } from './boundary.js';

const REBOOT_TIMEOUT_MS = 60_000;

export class SimulatedCloudInstance implements Instance {
  readonly name: string;
  readonly labels: Labels;
  private readonly api: SimulatedCloudApi;
  private readonly server: Server;

  constructor(api: SimulatedCloudApi, server: Server) {
    this.api = api;
    this.server = server;
    this.name = server.name;
    this.labels = server.tags;
  }

  exec(spec: ExecSpec): Promise<ExecResult> {
    return translated(async () => this.api.machine(this.server.id).exec(spec));
  }

  push(path: string, content: Uint8Array | string, options?: PushOptions): Promise<void> {
    return translated(async () => this.api.machine(this.server.id).push(path, content, options));
  }

  pull(path: string): Promise<Buffer | undefined> {
    return translated(async () => this.api.machine(this.server.id).pull(path));
  }

  consoleLog(): Promise<string> {
    return translated(async () => this.api.machine(this.server.id).consoleLog());
  }

  restart(signal?: AbortSignal): Promise<void> {
    return restartIntoNewBoot(this, () => translated(() => this.api.reboot(this.server.id)), { timeoutMs: REBOOT_TIMEOUT_MS, ...(signal ? { signal } : {}) });
  }

  async publish(): Promise<ImageInfo> {
    throw new HarnessError('NOT_SUPPORTED', 'the simulated cloud makes no images of servers');
  }

  delete(): Promise<void> {
    return terminateIfThere(this.api, this.server.id);
  }

  howToReach(): string {
    return `the simulated cloud's servers live in the harness process: server ${this.server.id} has no shell to reach`;
  }
}
