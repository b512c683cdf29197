import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { c as createTar } from 'tar';
import { AbortedError, HarnessError } from '../harness/errors.js';
import type {
  Capability, ExecResult, ExecSpec, ImageInfo, ImportSpec, Instance, InstanceSummary, Labels, LaunchSpec, Platform, PlatformFacts, PublishSpec,
} from '../platforms/types.js';

/**
 * A platform that boots nothing: each instance plays back what a test says the case's
 * instance would have printed. It backs the run loop's unit tests; the real drivers are
 * proven against real daemons by their own e2e suites.
 */
export interface FakeBehaviour {
  readonly bootMs?: number;
  /** The wait never ends on its own (a hung boot). */
  readonly bootHangs?: boolean;
  readonly launchFails?: boolean;
  readonly status?: string;
  /** cloud-init ≥ 23.4 repeats WARNING lines here: level → messages */
  readonly recoverableErrors?: Readonly<Record<string, readonly string[]>>;
  readonly log?: string;
  /** collector or command name → stdout (exit code 0) */
  readonly outputs?: Readonly<Record<string, string>>;
  readonly files?: Readonly<Record<string, string>>;
}

const CLEAN_LOG = '2026-11-28 14:00:00,000 - util.py[DEBUG]: Cloud-init v. 22.4.2 finished\n';

export class FakePlatform implements Platform {
  readonly name = 'fake';
  readonly capabilities: ReadonlySet<Capability>;
  readonly instances = new Map<string, FakeInstance>();
  readonly launched: string[] = [];
  readonly images: ImageInfo[] = [
    { ref: 'cloudproof/debian/bookworm', fingerprint: 'f00d', aliases: ['cloudproof/debian/bookworm'], properties: { 'cloudproof.cloud-init': '22.4.2-1' }, createdAt: '2026-11-28T00:00:00Z', sizeBytes: 1 },
  ];
  private readonly behaviourOf: (caseName: string) => FakeBehaviour;

  constructor(behaviourOf: (caseName: string) => FakeBehaviour = () => ({}), capabilities: readonly Capability[] = ['out-of-band-exec']) {
    this.behaviourOf = behaviourOf;
    this.capabilities = new Set(capabilities);
  }

  async connect(): Promise<void> {}
  async describe(): Promise<PlatformFacts> {
    return { fake: true };
  }
  async resolveImage(ref: string): Promise<ImageInfo> {
    const image = await this.findImage(ref);
    if (!image) throw new HarnessError('IMAGE_NOT_FOUND', `no image ${ref}`);
    return image;
  }
  async findImage(ref: string): Promise<ImageInfo | undefined> {
    return this.images.find((image) => image.aliases.includes(ref) || image.fingerprint === ref);
  }
  async listImages(): Promise<readonly ImageInfo[]> {
    return this.images;
  }
  async deleteImage(): Promise<void> {}
  async importImage(spec: ImportSpec): Promise<ImageInfo> {
    throw new HarnessError('PLATFORM_API', `the fake platform imports no images (${spec.artifact.path})`);
  }

  async launch(spec: LaunchSpec): Promise<Instance> {
    const behaviour = this.behaviourOf(spec.labels['cloudproof.case'] ?? '');
    if (behaviour.launchFails) throw new HarnessError('PLATFORM_API', `fake launch of ${spec.name} failed`);
    const instance = new FakeInstance(spec.name, spec.labels, behaviour, () => this.instances.delete(spec.name));
    this.instances.set(spec.name, instance);
    this.launched.push(spec.name);
    return instance;
  }

  async listByLabel(labels: Labels): Promise<readonly InstanceSummary[]> {
    return [...this.instances.values()]
      .filter((instance) => Object.entries(labels).every(([key, value]) => instance.labels[key] === value))
      .map((instance) => ({ name: instance.name, labels: instance.labels, status: 'Running', createdAt: '' }));
  }

  async destroy(name: string): Promise<void> {
    this.instances.delete(name);
  }

  async close(): Promise<void> {}
}

export class FakeInstance implements Instance {
  readonly name: string;
  readonly labels: Labels;
  private readonly behaviour: FakeBehaviour;
  private readonly onDelete: () => void;

  constructor(name: string, labels: Labels, behaviour: FakeBehaviour, onDelete: () => void) {
    this.name = name;
    this.labels = labels;
    this.behaviour = behaviour;
    this.onDelete = onDelete;
  }

  async exec(spec: ExecSpec): Promise<ExecResult> {
    if (spec.command.join(' ') === 'cloud-init status --wait') {
      await this.sleep(this.behaviour.bootHangs ? Number.POSITIVE_INFINITY : this.behaviour.bootMs ?? 1, spec);
      return { exitCode: 0, stdout: Buffer.from('status: done\n'), stderr: Buffer.alloc(0) };
    }
    if (spec.command.join(' ') === 'sh -s') return { exitCode: 0, stdout: await this.harvestTar(), stderr: Buffer.alloc(0) };
    throw new Error(`the fake instance cannot run ${spec.command.join(' ')}`);
  }

  async push(): Promise<void> {}
  async pull(): Promise<Buffer | undefined> {
    return undefined;
  }
  async consoleLog(): Promise<string> {
    return '';
  }
  async restart(): Promise<void> {}
  async publish(spec: PublishSpec): Promise<ImageInfo> {
    throw new HarnessError('PLATFORM_API', `the fake platform publishes nothing (${spec.aliases.join(', ')})`);
  }
  async delete(): Promise<void> {
    this.onDelete();
  }
  howToReach(): string {
    return `fake-shell ${this.name}`;
  }

  private sleep(ms: number, spec: ExecSpec): Promise<void> {
    return new Promise((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const finish = (error?: Error) => {
        timers.forEach(clearTimeout);
        spec.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => finish(new AbortedError('exec'));
      spec.signal?.addEventListener('abort', onAbort);
      if (Number.isFinite(ms)) timers.push(setTimeout(() => finish(), ms));
      if (spec.timeoutMs !== undefined) timers.push(setTimeout(() => finish(new HarnessError('EXEC_TIMEOUT', 'fake exec timed out')), spec.timeoutMs));
    });
  }

  private async harvestTar(): Promise<Buffer> {
    const root = await mkdtemp(join(tmpdir(), 'fake-harvest-'));
    try {
      const status = JSON.stringify({ status: this.behaviour.status ?? 'done', errors: [], recoverable_errors: this.behaviour.recoverableErrors ?? {} });
      const outputs: Record<string, string> = { 'cloud-init-status': status, 'schema-system': 'Valid schema', ...this.behaviour.outputs };
      await mkdir(join(root, 'collectors'), { recursive: true });
      for (const [name, stdout] of Object.entries(outputs)) {
        await writeFile(join(root, 'collectors', `${name}.out`), stdout);
        await writeFile(join(root, 'collectors', `${name}.err`), '');
        await writeFile(join(root, 'collectors', `${name}.rc`), '0\n');
      }
      const files = { '/var/log/cloud-init.log': this.behaviour.log ?? CLEAN_LOG, ...this.behaviour.files };
      for (const [path, content] of Object.entries(files)) {
        const target = join(root, 'files', path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
      const chunks: Buffer[] = [];
      await pipeline(createTar({ cwd: root }, ['collectors', 'files']), new Writable({ write(chunk: Buffer, _encoding, done) { chunks.push(chunk); done(); } }));
      return Buffer.concat(chunks);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
}
