import { Header, Pax } from 'tar';

export interface TarEntry {
  /** Relative; a directory's ends with `/`. */
  readonly path: string;
  /** Absent for a directory. */
  readonly content?: Buffer;
  readonly mode: number;
}

const BLOCK = 512;
/** Every entry's mtime: the same entries make the same bytes. */
const EPOCH = new Date(0);

/** A tar stream in memory, as `tar -cf -` prints it; long paths get a PAX header as tar(1) writes them. */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const chunks: Buffer[] = [];
  for (const entry of entries) {
    const size = entry.content?.length ?? 0;
    const data = { path: entry.path, mode: entry.mode, uid: 0, gid: 0, size, mtime: EPOCH, type: entry.content === undefined ? ('Directory' as const) : ('File' as const) };
    const header = Buffer.alloc(BLOCK);
    if (new Header(data).encode(header)) chunks.push(new Pax(data).encode());
    chunks.push(header);
    if (entry.content !== undefined) chunks.push(entry.content, Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK));
  }
  chunks.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(chunks);
}
