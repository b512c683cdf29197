import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakePlatform } from '../platforms/fake/platform.js';
import type { Capability } from '../platforms/types.js';
import { builtImageAlias, IMAGE_PROPERTY } from '../core/image-names.js';
import type { ImageFormat } from '../platforms/types.js';
import { buildImage } from './build-image.js';
import { debianRecipe } from './debian/recipe.js';
import { recipeHash } from './recipe.js';

describe('buildImage', () => {
  let cacheDir: string;
  const lines: string[] = [];
  const options = () => ({ distro: 'debian', release: 'bookworm', cacheDir, force: false, log: (line: string) => lines.push(line) });

  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'cloudproof-build-'));
    lines.length = 0;
  });
  afterEach(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  function platformWith(recipe: string, capabilities: readonly Capability[] = [], packed: Readonly<Record<string, string>> = {}): FakePlatform {
    const alias = builtImageAlias('debian/bookworm');
    return new FakePlatform({ capabilities, images: [{ ref: alias, fingerprint: 'cafe', aliases: [alias], properties: { [IMAGE_PROPERTY.recipe]: recipe, ...packed }, createdAt: '', sizeBytes: 1 }] });
  }

  it('reuses the image whose recipe hash matches, and says so', async () => {
    const platform = platformWith(recipeHash(debianRecipe('bookworm')));

    const result = await buildImage(platform, options());

    assert.equal(result.reused, true);
    assert.equal(result.image.fingerprint, 'cafe');
    assert.ok(lines.some((line) => /reusing image cafe/.test(line)), lines.join('\n'));
  });

  describe('with a platform that says how it packs images', () => {
    const format: ImageFormat = { property: 'test.seed', identity: 'seed-2' };
    const current = recipeHash(debianRecipe('bookworm'));

    it('reuses the image when it was packed as the platform packs today', async () => {
      const platform = Object.assign(platformWith(current, [], { [format.property]: format.identity }), { imageFormat: format });
      const result = await buildImage(platform, options());
      assert.equal(result.reused, true);
    });

    it('rebuilds an image packed another way, or without a record of it, although its recipe matches', async () => {
      for (const packed of [{ [format.property]: 'seed-1' }, {}]) {
        const platform = Object.assign(platformWith(current, [], packed), { imageFormat: format });
        // The fake cannot import: that it refuses shows the build was decided on.
        await assert.rejects(buildImage(platform, options()), { code: 'USAGE', message: /cannot import images/ });
      }
    });
  });

  it('does not build on a platform that cannot import what it would build', async () => {
    const platform = platformWith('an older recipe');
    await assert.rejects(buildImage(platform, options()), { code: 'USAGE' });
    await assert.rejects(buildImage(platformWith(recipeHash(debianRecipe('bookworm'))), { ...options(), force: true }), {
      code: 'USAGE',
    });
  });

  it('rejects an unknown distro or release before asking the platform', async () => {
    const platform = platformWith('x');
    platform.findImage = () => assert.fail('asked the platform');
    await assert.rejects(buildImage(platform, { ...options(), distro: 'gentoo' }), {
      code: 'USAGE',
      hint: /known distros: debian/,
    });
    await assert.rejects(buildImage(platform, { ...options(), release: 'potato' }), { code: 'USAGE' });
  });
});
