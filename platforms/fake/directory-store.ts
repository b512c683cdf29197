import { access, constants, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HarnessError } from '../../core/errors.js';
import type { ImageInfo } from '../types.js';
import { writeAtomically } from '../../core/host/atomic-write.js';
import { SerialQueue } from './serial-queue.js';
import type { FakeStore, InstanceRecord } from './store.js';

const RECORD_SUFFIX = '.json';
const FIX_HINT = 'check that the state folder is writable, or remove it to start afresh';

/**
 * A FakePlatform's state in a folder that outlives the process: one JSON file per
 * instance under `instances/` and the image list in `images.json`, each replaced
 * atomically. Every call reads the folder afresh, so a second process (or a second
 * FakePlatform) sees what the first left. Until the first image change there is no
 * images.json and the images are the ones the FakePlatform was made with.
 */
export class DirectoryStore implements FakeStore {
  private readonly stateDir: string;
  private readonly instancesDir: string;
  private readonly imagesFile: string;
  private readonly initialImages: readonly ImageInfo[];
  /** Serializes this process's image changes; another process's are not (the fake runs one harness at a time). */
  private readonly queue = new SerialQueue();

  constructor(stateDir: string, initialImages: readonly ImageInfo[]) {
    this.stateDir = stateDir;
    this.instancesDir = join(stateDir, 'instances');
    this.imagesFile = join(stateDir, 'images.json');
    this.initialImages = initialImages;
  }

  async check(): Promise<void> {
    try {
      await mkdir(this.instancesDir, { recursive: true });
      await access(this.instancesDir, constants.W_OK);
    } catch (error) {
      throw new HarnessError('PLATFORM_UNAVAILABLE', `the fake platform cannot keep state in ${this.stateDir}: ${(error as Error).message}`, { hint: FIX_HINT, cause: error });
    }
  }

  async instances(): Promise<readonly InstanceRecord[]> {
    const names = await orWhenMissing(readdir(this.instancesDir), [], this.instancesDir);
    const records = await Promise.all(
      names.filter((name) => name.endsWith(RECORD_SUFFIX)).map((name) => this.instance(name.slice(0, -RECORD_SUFFIX.length))),
    );
    // A record another process removed between the listing and the read is simply gone.
    return records.filter((record) => record !== undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async instance(name: string): Promise<InstanceRecord | undefined> {
    const path = this.recordPath(name);
    const text = await orWhenMissing(readFile(path, 'utf8'), undefined, path);
    return text === undefined ? undefined : parseRecord(text, path);
  }

  async putInstance(record: InstanceRecord): Promise<void> {
    const path = this.recordPath(record.name);
    await guarded(path, async () => {
      await mkdir(this.instancesDir, { recursive: true });
      await writeAtomically(path, `${JSON.stringify(record, null, 2)}\n`);
    });
  }

  async removeInstance(name: string): Promise<void> {
    const path = this.recordPath(name);
    await guarded(path, () => rm(path, { force: true }));
  }

  async images(): Promise<readonly ImageInfo[]> {
    const text = await orWhenMissing(readFile(this.imagesFile, 'utf8'), undefined, this.imagesFile);
    return text === undefined ? this.initialImages : parseImages(text, this.imagesFile);
  }

  updateImages<T>(change: (images: readonly ImageInfo[]) => { readonly images: readonly ImageInfo[]; readonly result: T }): Promise<T> {
    return this.queue.run(async () => {
      const { images, result } = change(await this.images());
      await guarded(this.imagesFile, async () => {
        await mkdir(this.stateDir, { recursive: true });
        await writeAtomically(this.imagesFile, `${JSON.stringify(images, null, 2)}\n`);
      });
      return result;
    });
  }

  /** Instance names are hostnames (FakePlatform checks), so they are safe as file names. */
  private recordPath(name: string): string {
    return join(this.instancesDir, `${name}${RECORD_SUFFIX}`);
  }
}

function parseRecord(text: string, path: string): InstanceRecord {
  const record = parseJson(text, path) as Partial<InstanceRecord> | null;
  const fine =
    typeof record?.name === 'string' &&
    typeof record.labels === 'object' && record.labels !== null &&
    (record.status === 'Running' || record.status === 'Stopped') &&
    typeof record.createdAt === 'string' &&
    typeof record.imageFingerprint === 'string';
  if (!fine) throw corrupt(path, 'not an instance record');
  return record as InstanceRecord;
}

function parseImages(text: string, path: string): readonly ImageInfo[] {
  const images = parseJson(text, path);
  if (!Array.isArray(images) || !images.every((image: Partial<ImageInfo> | null) => typeof image?.fingerprint === 'string' && Array.isArray(image.aliases))) {
    throw corrupt(path, 'not a list of images');
  }
  return images as ImageInfo[];
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw corrupt(path, (error as Error).message);
  }
}

function corrupt(path: string, why: string): HarnessError {
  return new HarnessError('PLATFORM_API', `the fake platform's state file ${path} is damaged: ${why}`, { hint: 'remove it (an instance record: and the instance is forgotten)' });
}

async function orWhenMissing<T, U>(reading: Promise<T>, missing: U, path: string): Promise<T | U> {
  try {
    return await reading;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return missing;
    throw stateError(path, error);
  }
}

async function guarded(path: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    throw stateError(path, error);
  }
}

function stateError(path: string, error: unknown): HarnessError {
  return new HarnessError('PLATFORM_API', `the fake platform cannot use its state file ${path}: ${(error as Error).message}`, { hint: FIX_HINT, cause: error });
}
