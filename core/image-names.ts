/**
 * How the harness names and marks the images it makes, on every platform: the aliases it
 * looks them up by and the properties it records on them. A platform stores both as it
 * can (LXD: image aliases and properties); the run loop and `harness images` read them
 * only through these names.
 */
export const IMAGE_ALIAS_PREFIX = 'cloudproof/';

/** `debian/bookworm` names the image `harness image build` made as `cloudproof/debian/bookworm`. */
export function builtImageAlias(shortRef: string): string {
  return shortRef.startsWith(IMAGE_ALIAS_PREFIX) ? shortRef : `${IMAGE_ALIAS_PREFIX}${shortRef}`;
}

export function isHarnessImageAlias(alias: string): boolean {
  return alias.startsWith(IMAGE_ALIAS_PREFIX);
}

export const IMAGE_PROPERTY = {
  /** Hash of the recipe the image was built from (images/recipe.ts). */
  recipe: 'cloudproof.recipe',
  /** cloud-init's package version inside the image. */
  cloudInit: 'cloudproof.cloud-init',
} as const;
