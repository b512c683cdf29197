import { createHash } from 'node:crypto';

/**
 * What an image's root filesystem is made of, as plain data, so that one hash can say
 * whether an image already imported is still what the recipe would build today. A distro's
 * recipe (images/<distro>/recipe.ts) fills this in; the builders only read it. Nothing here
 * is any platform's: each packs the tree its own way.
 */

/**
 * Bumped when the meaning of a field changes (how hooks run): images built under an older
 * format are then rebuilt although their data matches. How a platform packs the tree is
 * the platform's to record (see `imageFormat` in build-image.ts).
 */
const RECIPE_FORMAT = 1;

export interface ImageRecipe {
  readonly distro: string;
  readonly release: string;
  /** The distro's name for the architecture (amd64, arm64). */
  readonly architecture: string;
  readonly packages: readonly string[];
  /** Shell snippets run on the finished tree, `$1` being its root (mmdebstrap's customize hooks). */
  readonly customizeHooks: readonly string[];
  /** One line for people, recorded with the image. */
  readonly description: string;
}

/** sha256 (hex) of the recipe's canonical JSON, prefixed by the recipe format. */
export function recipeHash(recipe: ImageRecipe): string {
  const text = canonicalJson({ format: RECIPE_FORMAT, recipe });
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted at every depth, so that key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const entries = Object.entries(inner as Record<string, unknown>);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries);
  });
}

/** The recipe with `extra` packages too (each once, in order); the same recipe when there are none. */
export function withPackages(recipe: ImageRecipe, extra: readonly string[]): ImageRecipe {
  const added = extra.filter((name) => !recipe.packages.includes(name));
  return added.length === 0 ? recipe : { ...recipe, packages: [...recipe.packages, ...added] };
}
