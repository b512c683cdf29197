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
 *   <results>/<run-id>/<case>/<image-slug>/vendor-data|meta-data|network-config   the rest of the seed, when given
 *   <results>/<run-id>/<case>/<image-slug>/boots/<n>/...   a multi-boot case's harvest of boot n before the last;
 *                                                          the last boot's is the cell folder's own, as for one boot
 */
export function imageSlug(imageRef: string): string {
  return imageRef.replace(/^cloudproof\//, '').replace(/[^A-Za-z0-9._-]+/g, '-');
}

export function cellDir(runDir: string, caseName: string, imageRef: string): string {
  return join(runDir, caseName, imageSlug(imageRef));
}

/** A boot several cases shared (harness/packing/): case names start with a letter or digit, so this folder is no case's. */
export function sharedBootDir(runDir: string, index: number, imageRef: string): string {
  return join(runDir, '_shared-boots', String(index), imageSlug(imageRef));
}

/** Where, inside a cell's folder, the harvest of a shared boot is kept when the case is run again alone. */
export const SHARED_BOOT_KEPT_IN = 'shared-boot';

export const CELL_FILE = 'cell.json';
/** Each series' baseline from the history as it was before the run judged, for checks that assert a boot time against it (testcases/api.ts). */
export const BASELINES_FILE = 'baselines.json';
/** A run's charts of the history of every series it measured, written with its boot times into the history (reports/trends/). */
export const RUN_TRENDS_PAGE = 'trends.html';
export const RUN_FILE = 'run.json';
export const USER_DATA_FILE = 'user-data';
export const CONSOLE_FILE = 'console.log';
export const SEED_FILES = { vendorData: 'vendor-data', metaData: 'meta-data', networkConfig: 'network-config' } as const;
export const BOOTS_DIR = 'boots';
/** What `before_reboot` printed and returned, in the folder of the boot it ran after. */
export const BEFORE_REBOOT_COMMAND = 'before-reboot';

/** Where boot `boot` (1-based) of `lastBoot` boots is harvested, in a cell's folder. */
export function bootDir(cellDir: string, boot: number, lastBoot: number): string {
  return boot === lastBoot ? cellDir : join(cellDir, BOOTS_DIR, String(boot));
}
export const COLLECTORS_DIR = 'collectors';
export const FILES_DIR = 'files';

export function collectorPaths(dir: string, name: string): { out: string; err: string; rc: string } {
  const base = join(dir, COLLECTORS_DIR, name);
  return { out: `${base}.out`, err: `${base}.err`, rc: `${base}.rc` };
}

export function harvestedFilePath(dir: string, instancePath: string): string {
  return join(dir, FILES_DIR, instancePath.replace(/^\/+/, ''));
}
