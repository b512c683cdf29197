import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { COLLECTORS_DIR, FILES_DIR } from '../../results-schema/layout.js';
import type { FileDifference } from '../../results-schema/repeat.js';
import { MASKED, maskNoise } from './mask-noise.js';

/** One repetition's folder of a cell, and the names that are its own (masked before comparing). */
export interface HarvestSide {
  readonly dir: string;
  readonly names: Readonly<Record<string, string>>;
}

/** In words, for the report: what compareHarvests reads. */
export const HARVEST_COMPARED = `collectors/*.out and *.rc and every file under files/ (of each boot), line by line (${MASKED}); stderr, console.log and cell.json are not compared`;

const LINE_LIMIT = 200;
const COMPARED = new RegExp(`(?:^|/)(?:${COLLECTORS_DIR}/[^/]+\\.(?:out|rc)|${FILES_DIR}/.+)$`);

/**
 * Which harvested files differ between two repetitions of one cell: what the instance
 * printed and held, which is what the checks read. stderr and the console log are left
 * out as the checks rarely read them and they are mostly timing.
 */
export async function compareHarvests(reference: HarvestSide, other: HarvestSide): Promise<FileDifference[]> {
  const [referenceFiles, otherFiles] = await Promise.all([harvestedFiles(reference.dir), harvestedFiles(other.dir)]);
  const paths = [...new Set([...referenceFiles, ...otherFiles])].sort();
  const differences: FileDifference[] = [];
  for (const path of paths) {
    if (!otherFiles.has(path)) differences.push({ path, kind: 'only-in-reference' });
    else if (!referenceFiles.has(path)) differences.push({ path, kind: 'only-in-other' });
    else {
      const difference = await compareFile(path, reference, other);
      if (difference !== undefined) differences.push(difference);
    }
  }
  return differences;
}

async function compareFile(path: string, reference: HarvestSide, other: HarvestSide): Promise<FileDifference | undefined> {
  const [a, b] = await Promise.all([readFile(join(reference.dir, path)), readFile(join(other.dir, path))]);
  // Binary content has no lines and no noise we know of: it is alike byte for byte or not at all.
  if (a.includes(0) || b.includes(0)) return a.equals(b) ? undefined : { path, kind: 'changed' };
  const referenceLines = maskNoise(a.toString('utf8'), reference.names).split('\n');
  const otherLines = maskNoise(b.toString('utf8'), other.names).split('\n');
  const length = Math.max(referenceLines.length, otherLines.length);
  for (let index = 0; index < length; index += 1) {
    if (referenceLines[index] !== otherLines[index]) {
      return { path, kind: 'changed', referenceLine: cut(referenceLines[index]), otherLine: cut(otherLines[index]) };
    }
  }
  return undefined;
}

function cut(line: string | undefined): string {
  if (line === undefined) return '(no such line)';
  return line.length > LINE_LIMIT ? `${line.slice(0, LINE_LIMIT)}…` : line;
}

/**
 * The compared files of a cell folder, relative to it: those of the last boot and of each
 * earlier one a multi-boot case keeps under boots/<n>/, which have the same layout.
 */
async function harvestedFiles(dir: string): Promise<Set<string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const paths = entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)));
  return new Set(paths.filter((path) => COMPARED.test(path)));
}
