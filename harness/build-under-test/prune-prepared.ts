import type { ImageInfo } from '../../platforms/types.js';
import { PROPERTY } from './prepare-recipe.js';

/**
 * `harness images prune`: prepared images pile up, one per base × build × recipe. The ones
 * no run has launched from for a while go; base images never do (`harness image build`
 * owns them).
 */
export interface PruneChoice {
  readonly image: ImageInfo;
  /** Last launch, or creation for an image never launched from. */
  readonly lastUsed: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function isPrepared(image: ImageInfo): boolean {
  return image.properties[PROPERTY.prepared] === 'true';
}

export function preparedToPrune(images: readonly ImageInfo[], options: { readonly all: boolean; readonly unusedDays: number; readonly now: Date }): PruneChoice[] {
  const cutoff = options.now.getTime() - options.unusedDays * DAY_MS;
  return images
    .filter(isPrepared)
    .map((image) => ({ image, lastUsed: image.lastUsedAt ?? image.createdAt }))
    // An unreadable date keeps the image: pruning is for what is known to be stale.
    .filter((choice) => options.all || Date.parse(choice.lastUsed) < cutoff);
}
