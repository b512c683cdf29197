import { posix } from 'node:path';
import { AbortedError, HarnessError } from '../../core/errors.js';
import type { ExecResult, ExecSpec, ImageInfo, Instance, Labels, PublishSpec, PushOptions } from '../types.js';
import { restartIntoNewBoot } from '../wait/index.js';
import { isNotFound, LxdApiError, type LxdClient } from './client.js';
import { lxdExec } from './exec.js';
import { deleteImage, getImage, setAliases } from './images.js';

/** How long a clean shutdown (restart, publish) may take before LXD is told to force it. */
const CLEAN_STOP_TIMEOUT_S = 30;
/** How long the new boot may take to answer once LXD's restart has returned (the container runs by then): room for a loaded host. */
const NEW_BOOT_TIMEOUT_MS = 60_000;
/** Symlinks `pull` follows before it calls the chain a loop. */
const MAX_SYMLINK_HOPS = 16;

export function instancePath(name: string): string {
  return `/1.0/instances/${encodeURIComponent(name)}`;
}

/** Stops (forced) and deletes; an instance that is already gone is what the caller wanted. */
export async function deleteInstance(client: LxdClient, name: string): Promise<void> {
  const path = instancePath(name);
  const state = await client.getOrUndefined<{ readonly status: string }>(`${path}/state`);
  if (state === undefined) return;
  try {
    if (state.status !== 'Stopped') await client.operation('PUT', `${path}/state`, { body: { action: 'stop', force: true } });
    await client.operation('DELETE', path);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

export class LxdInstance implements Instance {
  readonly name: string;
  readonly labels: Labels;
  private readonly client: LxdClient;
  /** Console output read so far: LXD hands out each byte of a running container's console only once. */
  private readonly consoleRead: Buffer[] = [];

  constructor(client: LxdClient, name: string, labels: Labels) {
    this.client = client;
    this.name = name;
    this.labels = labels;
  }

  exec(spec: ExecSpec): Promise<ExecResult> {
    return lxdExec(this.client, this.name, spec);
  }

  /**
   * Writes a file, replacing what is there. LXD creates no directories: push into one that
   * exists (make it first with exec `mkdir -p`). Beware a freshly booted container's /tmp,
   * which systemd may still mount a tmpfs over.
   */
  async push(path: string, content: Uint8Array | string, options: PushOptions = {}): Promise<void> {
    const headers: Record<string, string> = { 'x-lxd-type': 'file', 'x-lxd-write': 'overwrite' };
    if (options.mode !== undefined) headers['x-lxd-mode'] = `0${options.mode.toString(8)}`;
    if (options.uid !== undefined) headers['x-lxd-uid'] = String(options.uid);
    if (options.gid !== undefined) headers['x-lxd-gid'] = String(options.gid);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    try {
      // LXD applies mode and owner only to a file it creates; an overwritten file would keep its old ones.
      if (options.mode !== undefined || options.uid !== undefined || options.gid !== undefined) await this.removeFile(path);
      await this.client.sync('POST', this.filePath(path), { rawBody: bytes, headers });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      throw new HarnessError('PLATFORM_API', `cannot push ${path} to ${this.name}: its directory (or the instance) does not exist`, {
        hint: 'push creates no directories: create it first with exec `mkdir -p`',
        cause: error,
      });
    }
  }

  async pull(path: string): Promise<Buffer | undefined> {
    let current = path;
    for (let hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
      const file = await this.client.getBytes(this.filePath(current));
      if (file === undefined) return undefined;
      const type = file.headers['x-lxd-type'];
      if (type === 'file') return file.body;
      if (type === 'directory') throw new HarnessError('PLATFORM_API', `cannot pull ${path} from ${this.name}: it is a directory`);
      // LXD hands back a symlink's target instead of following it.
      current = posix.resolve(posix.dirname(current), file.body.toString('utf8'));
    }
    throw new HarnessError('PLATFORM_API', `cannot pull ${path} from ${this.name}: more than ${MAX_SYMLINK_HOPS} symlinks deep`);
  }

  /**
   * While the container runs, LXD's console endpoint returns only what was printed since the
   * previous read (and fails when that is nothing), so the reads are kept and joined here.
   * Once it is stopped, LXD serves what its log file kept instead.
   */
  async consoleLog(): Promise<string> {
    const running = (await this.status()) === 'Running';
    const fresh = await this.readConsole(running);
    if (running) {
      if (fresh !== undefined) this.consoleRead.push(fresh);
      return Buffer.concat(this.consoleRead).toString('utf8');
    }
    return Buffer.concat([...this.consoleRead, ...(fresh === undefined ? [] : [fresh])]).toString('utf8');
  }

  restart(signal?: AbortSignal): Promise<void> {
    return restartIntoNewBoot(this, () => this.lxdRestart(signal), { timeoutMs: NEW_BOOT_TIMEOUT_MS, ...(signal === undefined ? {} : { signal }) });
  }

  async publish(spec: PublishSpec): Promise<ImageInfo> {
    await this.stop(spec.signal);
    const started = await this.client.startOperation('POST', '/1.0/images', {
      body: {
        source: { type: 'instance', name: this.name },
        properties: spec.properties,
        public: false,
        // Images published here stay on this machine; gzip (LXD's default) made a publish take 39 s instead of 8.
        compression_algorithm: 'none',
      },
    });
    const operation = await this.client.waitOrUndo(started.path, `publish of ${this.name}`, spec.signal, (done) => deleteImage(this.client, fingerprintOf(done)));
    const fingerprint = fingerprintOf(operation);
    try {
      await setAliases(this.client, fingerprint, spec.aliases);
    } catch (error) {
      await deleteImage(this.client, fingerprint);
      throw error;
    }
    const image = await getImage(this.client, fingerprint, spec.aliases[0] ?? fingerprint);
    if (image === undefined) throw new HarnessError('PLATFORM_API', `LXD published ${this.name} as ${fingerprint}, then had no such image`);
    return image;
  }

  delete(): Promise<void> {
    return deleteInstance(this.client, this.name);
  }

  howToReach(): string {
    return `lxc exec ${this.name} -- bash`;
  }

  /** A clean restart, forced when the guest does not shut down in time; LXD answers once the container runs again. */
  private async lxdRestart(signal: AbortSignal | undefined): Promise<void> {
    // The console's ring buffer starts empty on the next boot: keep this boot's output first.
    if ((await this.status()) === 'Running') await this.consoleLog();
    try {
      await this.changeState({ action: 'restart', timeout: CLEAN_STOP_TIMEOUT_S }, signal);
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      await this.changeState({ action: 'restart', force: true }, signal);
    }
  }

  private async stop(signal: AbortSignal | undefined): Promise<void> {
    if ((await this.status()) === 'Stopped') return;
    try {
      await this.changeState({ action: 'stop', timeout: CLEAN_STOP_TIMEOUT_S }, signal);
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      await this.changeState({ action: 'stop', force: true }, signal);
    }
  }

  private async changeState(body: Readonly<Record<string, unknown>>, signal: AbortSignal | undefined): Promise<void> {
    await this.client.operation('PUT', `${instancePath(this.name)}/state`, signal === undefined ? { body } : { body, signal });
  }

  private async status(): Promise<string> {
    return (await this.client.get<{ readonly status: string }>(`${instancePath(this.name)}/state`)).status;
  }

  /** LXD 5.0.2 answers 500 when a running container printed nothing since the last read. */
  private async readConsole(running: boolean): Promise<Buffer | undefined> {
    try {
      return (await this.client.getBytes(`${instancePath(this.name)}/console`))?.body;
    } catch (error) {
      if (running && error instanceof LxdApiError && error.status === 500) return undefined;
      throw error;
    }
  }

  private async removeFile(path: string): Promise<void> {
    try {
      await this.client.sync('DELETE', this.filePath(path));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private filePath(path: string): string {
    return `${instancePath(this.name)}/files?path=${encodeURIComponent(path)}`;
  }
}

function fingerprintOf(operation: { readonly metadata: Record<string, unknown> | null }): string {
  const fingerprint = operation.metadata?.fingerprint;
  if (typeof fingerprint !== 'string') throw new HarnessError('PLATFORM_API', 'LXD finished making an image but named no fingerprint');
  return fingerprint;
}
