import { join } from 'node:path';

/**
 * Where a run's harvest lives on the host. Booting writes these paths and judging reads
 * them, nothing else passes between the two, so a run's checks can be run again offline.
 *
 *   <results>/<run-id>/run.json
 *   <results>/<run-id>/<case>/<image-slug>/cell.json        what happened to this cell
 *   <results>/<run-id>/<case>/<image-slug>/user-data         what the instance was given
 *   <results>/<run-id>/<case>/<image-slug>/collectors/<name>.{out,err,rc}
 *   <results>/<run-id>/<case>/<image-slug>/files/<absolute path in the instance>
 *   <results>/<run-id>/<case>/<image-slug>/console.log
 */
export function imageSlug(imageRef: string): string {
  return imageRef.replace(/^cloudproof\//, '').replace(/[^A-Za-z0-9._-]+/g, '-');
}

export function cellDir(runDir: string, caseName: string, imageRef: string): string {
  return join(runDir, caseName, imageSlug(imageRef));
}

export const CELL_FILE = 'cell.json';
export const RUN_FILE = 'run.json';
export const USER_DATA_FILE = 'user-data';
export const CONSOLE_FILE = 'console.log';
export const COLLECTORS_DIR = 'collectors';
export const FILES_DIR = 'files';

export function collectorPaths(dir: string, name: string): { out: string; err: string; rc: string } {
  const base = join(dir, COLLECTORS_DIR, name);
  return { out: `${base}.out`, err: `${base}.err`, rc: `${base}.rc` };
}

export function harvestedFilePath(dir: string, instancePath: string): string {
  return join(dir, FILES_DIR, instancePath.replace(/^\/+/, ''));
}
