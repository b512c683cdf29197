import { join } from 'node:path';
import { AbortedError, isHarnessError, UsageError } from '../core/errors.js';
import { builtImageAlias, IMAGE_PROPERTY } from '../core/image-names.js';
import type { ImageFormat, ImageInfo, Platform, RootfsArtifact } from '../platforms/types.js';
import { buildDebianRootfs, type BuildRootfsOptions, type RootfsBuild } from './debian/build-rootfs.js';
import { debianRecipe } from './debian/recipe.js';
import { forgetImageFacts, imageSchemaPath, makeWorkDir, removeWorkDir, saveImageFacts } from './image-cache.js';
import { recipeHash, withPackages, type ImageRecipe } from './recipe.js';

/**
 * Makes sure the platform has an image for a distro release that matches today's recipe
 * and the platform's way of packing it: reuses the one it has when both still match,
 * otherwise builds the tree, hands it to the platform to pack and import under
 * `cloudproof/<distro>/<release>`, and records what it holds.
 */

// Callers look the schema up where they got the image from.
export { imageSchemaPath };

export interface BuildImageOptions {
  readonly distro: string;
  readonly release: string;
  /** See image-cache.ts for its layout; the CLI passes `<config.cacheDir>/images`. */
  readonly cacheDir: string;
  /** Rebuild even when the platform's image matches the recipe. */
  readonly force: boolean;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

export type BuildImageResult =
  | { readonly image: ImageInfo; readonly reused: true }
  | {
      readonly image: ImageInfo;
      readonly reused: false;
      readonly cloudInitVersion: string;
      readonly seconds: number;
    };

interface Distro {
  recipe(release: string): ImageRecipe;
  buildRootfs(recipe: ImageRecipe, options: BuildRootfsOptions): Promise<RootfsBuild>;
}

const DISTROS: Readonly<Record<string, Distro>> = {
  debian: { recipe: (release) => debianRecipe(release), buildRootfs: buildDebianRootfs },
};

export async function buildImage(platform: Platform, options: BuildImageOptions): Promise<BuildImageResult> {
  const { cacheDir, log, signal } = options;
  const distro = DISTROS[options.distro];
  if (distro === undefined) {
    throw new UsageError(`unknown distro "${options.distro}"`, `known distros: ${Object.keys(DISTROS).join(', ')}`);
  }
  const recipe = withPackages(distro.recipe(options.release), platform.guestPackages ?? []);
  const alias = builtImageAlias(`${options.distro}/${options.release}`);
  const hash = recipeHash(recipe);
  const format = platform.imageFormat;

  const existing = await platform.findImage(alias);
  const stale = existing === undefined ? 'the platform has no such image' : staleness(existing, hash, format);
  if (existing && stale === undefined && !options.force) {
    log(`${alias}: reusing image ${short(existing.fingerprint)}, built from the current recipe ${short(hash)}${format ? ' and packed as the platform packs today' : ''}`);
    if (imageSchemaPath(cacheDir, existing.fingerprint) === undefined) {
      log(`${alias}: no cloud-config schema for it in ${cacheDir} (not built here, or cloud-init older than 22.2)`);
    }
    return { image: existing, reused: true };
  }
  if (!platform.capabilities.has('image-import')) {
    throw new UsageError(
      `platform ${platform.name} cannot import images, so cannot build ${alias}`,
      'build images on a platform that can (lxd), or name an existing image',
    );
  }
  const say = (line: string): void => log(`${alias}: ${line}`);
  say(`building, ${stale ?? 'as forced'}`);

  const started = performance.now();
  const workDir = await makeWorkDir(cacheDir);
  try {
    const rootfs = await step(say, signal, 'rootfs', () =>
      distro.buildRootfs(recipe, { rootfsDir: join(workDir, 'rootfs'), log, signal }),
    );
    say(`cloud-init ${rootfs.cloudInitVersion}`);
    const artifact: RootfsArtifact = {
      kind: 'rootfs',
      dir: rootfs.rootfsDir,
      architecture: recipe.architecture,
      os: recipe.distro,
      release: recipe.release,
      description: recipe.description,
    };
    // The platform packs it and records its own format; the recipe's facts are ours to record.
    const image = await step(say, signal, 'import', () =>
      platform.importImage({
        artifact,
        aliases: [alias],
        properties: {
          [IMAGE_PROPERTY.recipe]: hash,
          [IMAGE_PROPERTY.cloudInit]: rootfs.cloudInitVersion,
        },
        signal,
      }),
    );
    await saveImageFacts(cacheDir, {
      fingerprint: image.fingerprint,
      alias,
      packageList: rootfs.packageList,
      schema: rootfs.schema,
    });
    // Only now: until the new image holds the alias, the old one still serves it.
    if (existing && existing.fingerprint !== image.fingerprint) {
      await platform.deleteImage(existing.fingerprint);
      await forgetImageFacts(cacheDir, existing.fingerprint);
      say(`deleted the previous image ${short(existing.fingerprint)}`);
    }
    const seconds = (performance.now() - started) / 1000;
    say(`image ${short(image.fingerprint)} ready in ${seconds.toFixed(1)} s`);
    return { image, reused: false, cloudInitVersion: rootfs.cloudInitVersion, seconds };
  } finally {
    // Logged, not thrown: it must not hide why the build failed, nor undo an import that worked.
    await removeWorkDir(workDir).catch((error: unknown) => say(`could not clean up: ${errorText(error)}`));
  }
}

/** Why `existing` is not what a build would make today; undefined when it is. */
function staleness(existing: ImageInfo, hash: string, format: ImageFormat | undefined): string | undefined {
  const recipe = existing.properties[IMAGE_PROPERTY.recipe];
  if (recipe !== hash) {
    return `its image ${short(existing.fingerprint)} was built from recipe ${recipe ? short(recipe) : 'unknown'}, not ${short(hash)}`;
  }
  if (format === undefined) return undefined;
  const packed = existing.properties[format.property];
  if (packed !== format.identity) {
    return `its image ${short(existing.fingerprint)} was packed as ${packed ? short(packed) : 'unknown'} (${format.property}), the platform now packs ${short(format.identity)}`;
  }
  return undefined;
}

function errorText(error: unknown): string {
  if (isHarnessError(error)) return error.oneLine();
  return error instanceof Error ? error.message : String(error);
}

async function step<T>(
  say: (line: string) => void,
  signal: AbortSignal | undefined,
  name: string,
  run: () => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw new AbortedError(`the image build (before ${name})`);
  const started = performance.now();
  const result = await run();
  say(`${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function short(hex: string): string {
  return hex.slice(0, 12);
}
