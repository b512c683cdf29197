import { mkdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { x as untar } from 'tar';

/**
 * Unpacks a harvest tar stream into a cell's folder. The stream comes from inside the
 * instance, so only plain files and folders are taken: a link could point anywhere on
 * the host.
 */
export async function extractHarvest(archive: Buffer, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await pipeline(
    Readable.from([archive]),
    untar({
      cwd: dir,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      filter: (_path, entry) => {
        const type = (entry as { type?: string }).type;
        return type === 'File' || type === 'Directory' || type === 'OldFile' || type === 'ContiguousFile';
      },
    }),
  );
}
