import { rename, rm, writeFile } from 'node:fs/promises';

let written = 0;

/**
 * Writes a file so that a reader, or a process killed halfway, sees the old content or
 * the new, never part of it: the temporary name is unique per process and write.
 */
export async function writeAtomically(path: string, content: string): Promise<void> {
  written += 1;
  const temporary = `${path}.${process.pid}-${written}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
