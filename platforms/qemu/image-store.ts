import { copyFile, mkdir, mkdtemp, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { HarnessError } from '../../core/errors.js';
import { writeAtomically } from '../../core/host/atomic-write.js';
import { addImage, findImage, listed } from '../image-list.js';
import type { ImageInfo } from '../types.js';

/** The files an image boots from, as paths. */
export interface ImageFiles {
  readonly disk: string;
  readonly kernel: string;
  readonly initrd: string;
}

export interface AddImageSpec {
  /** Moved into the store: renamed, or copied and removed when they are on another filesystem. */
  readonly files: ImageFiles;
  readonly fingerprint: string;
  readonly aliases: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  /** Kept as the `description` property, as LXD keeps an image's. */
  readonly description: string;
}

/** An image list entry: the image and its files, relative to its folder. */
interface StoredImage extends ImageInfo {
  readonly files: ImageFiles;
}

/** The names the files get in an image's folder. */
const STORED_NAMES: ImageFiles = { disk: 'disk.qcow2', kernel: 'vmlinuz', initrd: 'initrd.img' };
const FINGERPRINT = /^[0-9a-f]{64}$/;
const FIX_HINT = 'check that the state folder is writable, or remove it to start afresh';

/**
 * The qemu driver's images: each in `<stateDir>/images/<fingerprint>/`, and the list in
 * `<stateDir>/images.json`, replaced atomically. Every call reads the list afresh, so
 * another process sees what this one changed, and a change holds `images.lock` so that two
 * processes (an image build beside a run) never lose each other's.
 */
export class QemuImageStore {
  private readonly stateDir: string;
  private readonly imagesDir: string;
  private readonly listFile: string;
  private readonly lockFile: string;

  constructor(stateDir: string) {
    this.stateDir = stateDir;
    this.imagesDir = join(stateDir, 'images');
    this.listFile = join(stateDir, 'images.json');
    this.lockFile = join(stateDir, 'images.lock');
  }

  async list(): Promise<readonly ImageInfo[]> {
    return (await this.read()).map((image) => infoOf(listed(image)));
  }

  /** By alias, fingerprint or a unique fingerprint prefix (image-list.ts). */
  async find(ref: string): Promise<ImageInfo | undefined> {
    const image = findImage(await this.read(), ref);
    return image === undefined ? undefined : infoOf(image);
  }

  /** Absolute paths of an image's files; undefined when the store has no image with that fingerprint. */
  async paths(fingerprint: string): Promise<ImageFiles | undefined> {
    const image = (await this.read()).find((candidate) => candidate.fingerprint === fingerprint);
    return image === undefined ? undefined : this.absolute(image);
  }

  /**
   * Takes the image's aliases from any image that has them. An image the store already has
   * (same fingerprint) gains the aliases and properties and keeps its files; the ones
   * offered are removed.
   */
  async add(spec: AddImageSpec): Promise<ImageInfo> {
    if (!FINGERPRINT.test(spec.fingerprint)) {
      throw new HarnessError('INTERNAL', `"${spec.fingerprint}" is not an image fingerprint (a sha256 in hex)`);
    }
    // Moved in before the lock is taken: a copy across filesystems may take minutes.
    const staging = await this.stage(spec.files);
    try {
      const disk = await guarded(join(staging, STORED_NAMES.disk), (path) => stat(path));
      const made: StoredImage = {
        ref: spec.aliases[0] ?? spec.fingerprint,
        fingerprint: spec.fingerprint,
        aliases: [...spec.aliases],
        properties: { ...spec.properties, description: spec.description },
        createdAt: new Date().toISOString(),
        sizeBytes: disk.size,
        files: STORED_NAMES,
      };
      const image = await this.change(async (images) => {
        const change = addImage(images, made);
        if (!images.some((other) => other.fingerprint === spec.fingerprint)) {
          const folder = this.folderOf(spec.fingerprint);
          // A folder no list names is what a process killed mid-change left.
          await guarded(folder, (path) => rm(path, { recursive: true, force: true }));
          await guarded(folder, (path) => rename(staging, path));
        }
        return change;
      });
      return infoOf(listed(image));
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Idempotent. */
  async delete(fingerprint: string): Promise<void> {
    await this.change(async (images) => ({
      images: images.filter((image) => image.fingerprint !== fingerprint),
      result: undefined,
      // Under the lock, so that an add of the same image beside this delete keeps its folder;
      // after the list is written, so that the list never names an image whose files are gone.
      ...(FINGERPRINT.test(fingerprint) ? { afterWrite: () => guarded(this.folderOf(fingerprint), (path) => rm(path, { recursive: true, force: true })) } : {}),
    }));
  }

  private folderOf(fingerprint: string): string {
    return join(this.imagesDir, fingerprint);
  }

  private absolute(image: StoredImage): ImageFiles {
    const folder = this.folderOf(image.fingerprint);
    return { disk: join(folder, image.files.disk), kernel: join(folder, image.files.kernel), initrd: join(folder, image.files.initrd) };
  }

  /** Moves the files into a folder of their own beside the images, from where a rename puts them in place. */
  private async stage(files: ImageFiles): Promise<string> {
    await guarded(this.imagesDir, (path) => mkdir(path, { recursive: true }));
    const staging = await guarded(join(this.imagesDir, '.staging-'), (prefix) => mkdtemp(prefix));
    try {
      for (const key of ['disk', 'kernel', 'initrd'] as const) await moveFile(files[key], join(staging, STORED_NAMES[key]));
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    return staging;
  }

  private async read(): Promise<readonly StoredImage[]> {
    let text: string;
    try {
      text = await readFile(this.listFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw stateError(this.listFile, error);
    }
    return parseImages(text, this.listFile);
  }

  private async change<T>(
    work: (images: readonly StoredImage[]) => Promise<ListChange<T>>,
  ): Promise<T> {
    await guarded(this.stateDir, (path) => mkdir(path, { recursive: true }));
    return withLock(this.lockFile, async () => {
      const { images, result, afterWrite } = await work(await this.read());
      await guarded(this.listFile, (path) => writeAtomically(path, `${JSON.stringify(images, null, 2)}\n`));
      await afterWrite?.();
      return result;
    });
  }
}

interface ListChange<T> {
  readonly images: readonly StoredImage[];
  readonly result: T;
  /** Runs once the new list is written, still holding the lock. */
  readonly afterWrite?: () => Promise<unknown>;
}

function infoOf(image: StoredImage): ImageInfo {
  const { files: _files, ...info } = image;
  return info;
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw fileError(from, error);
    await guarded(from, async (path) => {
      await copyFile(path, to);
      await rm(path);
    });
  }
}

const LOCK_POLL_MS = 50;

/**
 * Runs `work` holding a lock file that names this process. A lock whose process is gone (it
 * was killed mid-change) is taken over; the list it guarded was replaced atomically, so it is
 * whole.
 */
async function withLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw stateError(path, error);
    }
    if (await heldByTheDead(path)) await rm(path, { force: true });
    else await delay(LOCK_POLL_MS);
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}

async function heldByTheDead(path: string): Promise<boolean> {
  const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
  // No pid yet: its holder is between creating the file and writing it.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function parseImages(text: string, path: string): readonly StoredImage[] {
  let images: unknown;
  try {
    images = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, (error as Error).message);
  }
  const fine = (image: Partial<StoredImage> | null): boolean =>
    typeof image?.fingerprint === 'string' && FINGERPRINT.test(image.fingerprint) &&
    Array.isArray(image.aliases) &&
    typeof image.files?.disk === 'string' && typeof image.files.kernel === 'string' && typeof image.files.initrd === 'string';
  if (!Array.isArray(images) || !images.every(fine)) throw corrupt(path, 'not a list of images');
  return images as StoredImage[];
}

function corrupt(path: string, why: string): HarnessError {
  return new HarnessError('PLATFORM_API', `the qemu image list ${path} is damaged: ${why}`, {
    hint: 'remove it and the images/ folder beside it, then build the images again',
  });
}

async function guarded<T>(path: string, work: (path: string) => Promise<T>): Promise<T> {
  try {
    return await work(path);
  } catch (error) {
    throw stateError(path, error);
  }
}

function stateError(path: string, error: unknown): HarnessError {
  return new HarnessError('PLATFORM_API', `the qemu image store cannot use ${path}: ${(error as Error).message}`, { hint: FIX_HINT, cause: error });
}

function fileError(path: string, error: unknown): HarnessError {
  return new HarnessError('PLATFORM_API', `the qemu image store cannot take in ${path}: ${(error as Error).message}`, {
    hint: 'pass files that exist and that this process may move',
    cause: error,
  });
}
