import type { ImageInfo } from '../types.js';
import { isNotFound, type LxdClient } from './client.js';

/** LXD's image record, as much of it as the driver reads. */
export interface LxdImage {
  readonly fingerprint: string;
  readonly aliases: readonly { readonly name: string }[];
  readonly properties: Readonly<Record<string, string>> | null;
  readonly created_at: string;
  readonly uploaded_at: string;
  readonly size: number;
  readonly last_used_at?: string;
}

export function imagePath(fingerprint: string): string {
  return `/1.0/images/${encodeURIComponent(fingerprint)}`;
}

export function aliasPath(alias: string): string {
  return `/1.0/images/aliases/${encodeURIComponent(alias)}`;
}

export function toImageInfo(image: LxdImage, ref: string): ImageInfo {
  return {
    ref,
    fingerprint: image.fingerprint,
    aliases: image.aliases.map((alias) => alias.name),
    properties: image.properties ?? {},
    // An image whose metadata had no creation_date reports the zero time; its upload is the better answer.
    createdAt: image.created_at.startsWith('0001-') || image.created_at.startsWith('1970-') ? image.uploaded_at : image.created_at,
    sizeBytes: image.size,
    // An image no instance was ever made from reports the zero time.
    ...(image.last_used_at === undefined || image.last_used_at.startsWith('0001-') ? {} : { lastUsedAt: image.last_used_at }),
  };
}

export async function getImage(client: LxdClient, fingerprint: string, ref: string): Promise<ImageInfo | undefined> {
  const image = await client.getOrUndefined<LxdImage>(imagePath(fingerprint));
  return image && toImageInfo(image, ref);
}

/** Points each alias at `fingerprint`, moving an alias that already names another image. */
export async function setAliases(client: LxdClient, fingerprint: string, aliases: readonly string[]): Promise<void> {
  for (const name of aliases) {
    const existing = await client.getOrUndefined<{ readonly target: string }>(aliasPath(name));
    if (existing === undefined) {
      await client.sync('POST', '/1.0/images/aliases', { body: { name, target: fingerprint, description: '' } });
    } else if (existing.target !== fingerprint) {
      await client.sync('PUT', aliasPath(name), { body: { target: fingerprint, description: '' } });
    }
  }
}

/** Idempotent: an image that is already gone is what the caller wanted. */
export async function deleteImage(client: LxdClient, fingerprint: string): Promise<void> {
  try {
    await client.operation('DELETE', imagePath(fingerprint));
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
