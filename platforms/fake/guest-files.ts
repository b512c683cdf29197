import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { HarnessError } from '../../core/errors.js';
import type { PushOptions } from '../types.js';

export interface GuestFile {
  readonly content: Buffer;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface GuestStat {
  readonly kind: 'file' | 'directory';
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
}

const NEW_FILE_MODE = 0o644;
const DIRECTORY_MODE = 0o755;
const PUSH_HINT = 'push creates no directories: create it first with exec `mkdir -p`';

/**
 * The simulated guest's filesystem: regular files and directories only. A directory
 * exists when it was seeded, made with `mkdir -p`, or holds a file (every parent of a
 * file written is made with it); files are removed one by one (`rm -f`) or under a
 * directory, directories never. Contents live in memory: the fake keeps no guest on disk.
 */
export class GuestFiles {
  private readonly files: Map<string, GuestFile>;
  private readonly directories: Set<string>;
  /** Named in error messages, as a real driver names the instance. */
  private readonly owner: string;

  constructor(owner: string, from?: GuestFiles) {
    this.owner = owner;
    this.files = new Map(from?.files ?? []);
    this.directories = new Set(from?.directories ?? ['/']);
  }

  /** A copy for another owner (an image made of this instance, an instance made of an image). */
  copyFor(owner: string): GuestFiles {
    return new GuestFiles(owner, this);
  }

  /** A directory has the mode and owner a fresh one gets. */
  stat(path: string): GuestStat | undefined {
    const file = this.files.get(normal(path));
    if (file !== undefined) return { kind: 'file', mode: file.mode, uid: file.uid, gid: file.gid, size: file.content.length };
    return this.directories.has(normal(path)) ? { kind: 'directory', mode: DIRECTORY_MODE, uid: 0, gid: 0, size: 4096 } : undefined;
  }

  /** Binary-safe and copied, so that neither the caller nor the guest sees the other's later changes. */
  read(path: string): Buffer | undefined {
    if (this.directories.has(normal(path))) throw new HarnessError('PLATFORM_API', `cannot pull ${path} from ${this.owner}: it is a directory`);
    const file = this.files.get(normal(path));
    return file === undefined ? undefined : Buffer.from(file.content);
  }

  /**
   * Instance.push: replaces a file that is there, creates no directory. As on LXD, mode and
   * owner apply to a file it creates or when given; an overwritten file keeps its own.
   */
  push(path: string, content: Uint8Array | string, options: PushOptions = {}): void {
    const normal = absolute(path, `cannot push ${path} to ${this.owner}`);
    const parent = posix.dirname(normal);
    if (!this.directories.has(parent)) {
      const why = this.files.has(parent) ? `${parent} is a file` : `its directory ${parent} does not exist`;
      throw new HarnessError('PLATFORM_API', `cannot push ${path} to ${this.owner}: ${why}`, { hint: PUSH_HINT });
    }
    if (this.directories.has(normal)) throw new HarnessError('PLATFORM_API', `cannot push ${path} to ${this.owner}: it is a directory`);
    const before = this.files.get(normal);
    this.files.set(normal, {
      content: Buffer.from(content),
      mode: options.mode ?? before?.mode ?? NEW_FILE_MODE,
      uid: options.uid ?? before?.uid ?? 0,
      gid: options.gid ?? before?.gid ?? 0,
    });
  }

  /** What the guest itself writes (its seed, its logs): parents are made as the guest's own tools would. */
  write(path: string, content: Uint8Array | string): void {
    const normal = absolute(path, `the fake guest ${this.owner} cannot write ${path}`);
    this.makeDirectory(posix.dirname(normal));
    const before = this.files.get(normal);
    this.files.set(normal, { content: Buffer.from(content), mode: before?.mode ?? NEW_FILE_MODE, uid: before?.uid ?? 0, gid: before?.gid ?? 0 });
  }

  /** `rm -f` of a file: one that is not there is no error. */
  remove(path: string): void {
    this.files.delete(normal(path));
  }

  /** Every file under `directory` goes; the directories stay. */
  removeFilesUnder(directory: string): void {
    const prefix = `${normal(directory)}/`;
    for (const path of [...this.files.keys()]) if (path.startsWith(prefix)) this.files.delete(path);
  }

  /** `mkdir -p`; undefined when done, else what stood in the way (a file). */
  makeDirectory(path: string): string | undefined {
    const normal = absolute(path, `the fake guest ${this.owner} cannot make ${path}`);
    const chain: string[] = [];
    for (let current = normal; !this.directories.has(current); current = posix.dirname(current)) {
      if (this.files.has(current)) return current;
      chain.push(current);
    }
    for (const directory of chain) this.directories.add(directory);
    return undefined;
  }

  /** Changes whenever any path, byte or mode does: what a published image's fingerprint is made of. */
  digest(): string {
    const hash = createHash('sha256');
    for (const directory of [...this.directories].sort()) hash.update(`d ${directory}\n`);
    for (const [path, file] of [...this.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      hash.update(`f ${path} ${file.mode} ${file.uid} ${file.gid} ${file.content.length}\n`).update(file.content);
    }
    return hash.digest('hex');
  }

  sizeBytes(): number {
    let total = 0;
    for (const file of this.files.values()) total += file.content.length;
    return total;
  }
}

function absolute(path: string, what: string): string {
  if (!posix.isAbsolute(path)) throw new HarnessError('PLATFORM_API', `${what}: the path is not absolute`);
  return normal(path);
}

/** `/etc/`, `/etc/.` and `//etc` are all `/etc`. */
function normal(path: string): string {
  return posix.normalize(path).replace(/(.)\/+$/, '$1');
}
