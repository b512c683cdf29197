import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HarnessError } from '../../core/errors.js';
import type { ImageRecipe } from '../recipe.js';
import { runTool } from '../../core/host/run-tool.js';

/**
 * Builds a Debian tree from a recipe with mmdebstrap, then reads back what went into it:
 * the cloud-init version, every package, and cloud-init's own cloud-config schema.
 */

export interface RootfsBuild {
  readonly rootfsDir: string;
  readonly cloudInitVersion: string;
  /** `package version` per line, as dpkg-query lists them. */
  readonly packageList: string;
  /** The text of cloud-init's JSON schema; undefined before cloud-init 22.2, which has none. */
  readonly schema: string | undefined;
}

export interface BuildRootfsOptions {
  /** Where the tree goes; must not exist yet, or be empty. */
  readonly rootfsDir: string;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

const SCHEMA_IN_PACKAGE = 'cloudinit/config/schemas/schema-cloud-config-v1.json';

export async function buildDebianRootfs(
  recipe: ImageRecipe,
  options: BuildRootfsOptions,
): Promise<RootfsBuild> {
  const { rootfsDir, log, signal } = options;
  if (process.getuid?.() !== 0) {
    throw new HarnessError('IMAGE_BUILD', 'building a Debian image needs root', {
      hint: 'run the build as root (e.g. with sudo): mmdebstrap must create files owned by other users and device nodes',
    });
  }
  await runTool('mmdebstrap', mmdebstrapArgs(recipe, rootfsDir), {
    log,
    signal,
    installHint: 'apt-get install mmdebstrap',
  });
  const dpkgQuery = (format: string, ...packages: string[]): Promise<string> =>
    runTool('dpkg-query', [`--admindir=${join(rootfsDir, 'var/lib/dpkg')}`, '-W', '-f', format, ...packages], {
      signal,
      installHint: 'dpkg-query comes with dpkg: build on a Debian or Ubuntu host',
    });
  const cloudInitVersion = await dpkgQuery('${Version}', 'cloud-init');
  const packageList = await dpkgQuery('${Package} ${Version}\n');
  return { rootfsDir, cloudInitVersion, packageList, schema: await readSchema(rootfsDir) };
}

export function mmdebstrapArgs(recipe: ImageRecipe, rootfsDir: string): string[] {
  return [
    '--variant=apt',
    `--architectures=${recipe.architecture}`,
    '--format=directory',
    `--include=${recipe.packages.join(',')}`,
    ...recipe.customizeHooks.map((hook) => `--customize-hook=${hook}`),
    recipe.release,
    rootfsDir,
  ];
}

/** Debian installs it under usr/lib/python3/dist-packages; the loop also finds a python3.X there. */
async function readSchema(rootfsDir: string): Promise<string | undefined> {
  const lib = join(rootfsDir, 'usr/lib');
  const pythons = (await readdir(lib)).filter((name) => name.startsWith('python3'));
  for (const python of pythons) {
    try {
      return await readFile(join(lib, python, 'dist-packages', SCHEMA_IN_PACKAGE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return undefined;
}
