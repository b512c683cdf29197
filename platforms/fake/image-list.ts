import type { ImageInfo } from '../types.js';

/**
 * The fake's image list rules, which are LXD's: an alias names one image, so an image
 * that takes an alias takes it from any other; an image made again with the same
 * fingerprint gains the new aliases and properties.
 */
export function addImage(images: readonly ImageInfo[], image: ImageInfo): { readonly images: readonly ImageInfo[]; readonly result: ImageInfo } {
  const before = images.find((other) => other.fingerprint === image.fingerprint);
  const merged: ImageInfo = before === undefined
    ? image
    : { ...before, aliases: [...new Set([...before.aliases, ...image.aliases])], properties: { ...before.properties, ...image.properties } };
  const others = images
    .filter((other) => other.fingerprint !== image.fingerprint)
    .map((other) => ({ ...other, aliases: other.aliases.filter((alias) => !image.aliases.includes(alias)) }));
  return { images: [...others, merged], result: merged };
}

/** By alias, then by fingerprint or a prefix of one that names a single image, as `lxc` does. */
export function findImage(images: readonly ImageInfo[], ref: string): ImageInfo | undefined {
  if (ref === '') return undefined;
  const found =
    images.find((image) => image.aliases.includes(ref)) ??
    images.find((image) => image.fingerprint === ref) ??
    unique(images.filter((image) => image.fingerprint.startsWith(ref)));
  return found === undefined ? undefined : { ...found, ref };
}

/** `ref` is what a listing names an image by: its first alias, else its fingerprint. */
export function listed(image: ImageInfo): ImageInfo {
  return { ...image, ref: image.aliases[0] ?? image.fingerprint };
}

function unique(images: readonly ImageInfo[]): ImageInfo | undefined {
  return images.length === 1 ? images[0] : undefined;
}
