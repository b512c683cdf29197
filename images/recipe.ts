import { createHash } from 'node:crypto';

/**
 * What an image is made of, as plain data, so that one hash can say whether an image
 * already imported is still what the recipe would build today. A distro's recipe
 * (images/<distro>/recipe.ts) fills this in; the builders only read it.
 */

/**
 * Bumped when the meaning of a field changes (how hooks run, how the tarball is laid
 * out): images built under an older format are then rebuilt although their data matches.
 */
const RECIPE_FORMAT = 1;

export type TemplateTrigger = 'create' | 'copy' | 'start';

/** One entry of metadata.yaml's `templates`: LXD renders `template` to a path in the instance. */
export interface LxdTemplate {
  readonly when: readonly TemplateTrigger[];
  /** File name under templates/ in the tarball. */
  readonly template: string;
  readonly properties?: Readonly<Record<string, string>>;
}

/** metadata.yaml without creation_date, which differs on every build and must not change the hash. */
export interface LxdImageMetadata {
  /** LXD's name for the architecture (x86_64, aarch64). */
  readonly architecture: string;
  readonly properties: Readonly<Record<string, string>>;
  /** Instance path → how LXD renders it. */
  readonly templates: Readonly<Record<string, LxdTemplate>>;
  /** Template file name → its text. */
  readonly templateFiles: Readonly<Record<string, string>>;
}

export interface ImageRecipe {
  readonly distro: string;
  readonly release: string;
  /** The distro's name for the architecture (amd64, arm64). */
  readonly architecture: string;
  readonly packages: readonly string[];
  /** Shell snippets run on the finished tree, `$1` being its root (mmdebstrap's customize hooks). */
  readonly customizeHooks: readonly string[];
  readonly lxd: LxdImageMetadata;
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
