import type { ImageInfo } from './types.js';

/**
 * The image list rules of every driver that keeps its own list (the fake, qemu), which
 * are LXD's, so that a ref means the same on each: an alias names one image, so an image
 * that takes an alias takes it from any other; an image made again with the same
 * fingerprint gains the new aliases and properties.
 */
export function addImage<T extends ImageInfo>(images: readonly T[], image: T): { readonly images: readonly T[]; readonly result: T } {
  const before = images.find((other) => other.fingerprint === image.fingerprint);
  const merged: T = before === undefined
    ? image
    : { ...before, aliases: [...new Set([...before.aliases, ...image.aliases])], properties: { ...before.properties, ...image.properties } };
  const others = images
    .filter((other) => other.fingerprint !== image.fingerprint)
    .map((other) => ({ ...other, aliases: other.aliases.filter((alias) => !image.aliases.includes(alias)) }));
  return { images: [...others, merged], result: merged };
}

/** By alias, then by fingerprint or a prefix of one that names a single image, as `lxc` does. */
export function findImage<T extends ImageInfo>(images: readonly T[], ref: string): T | undefined {
  if (ref === '') return undefined;
  const found =
    images.find((image) => image.aliases.includes(ref)) ??
    images.find((image) => image.fingerprint === ref) ??
    unique(images.filter((image) => image.fingerprint.startsWith(ref)));
  return found === undefined ? undefined : { ...found, ref };
}

/** `ref` is what a listing names an image by: its first alias, else its fingerprint. */
export function listed<T extends ImageInfo>(image: T): T {
  return { ...image, ref: image.aliases[0] ?? image.fingerprint };
}

function unique<T>(images: readonly T[]): T | undefined {
  return images.length === 1 ? images[0] : undefined;
}
