import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakePlatform } from '../test/fake-platform.js';
import { buildImage, imageAlias, RECIPE_PROPERTY } from './build-image.js';
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

  function platformWith(recipe: string, capabilities: ConstructorParameters<typeof FakePlatform>[1] = []): FakePlatform {
    const platform = new FakePlatform(() => ({}), capabilities);
    platform.images.length = 0;
    const alias = imageAlias('debian', 'bookworm');
    platform.images.push({ ref: alias, fingerprint: 'cafe', aliases: [alias], properties: { [RECIPE_PROPERTY]: recipe }, createdAt: '', sizeBytes: 1 });
    return platform;
  }

  it('reuses the image whose recipe hash matches, and says so', async () => {
    const platform = platformWith(recipeHash(debianRecipe('bookworm')));

    const result = await buildImage(platform, options());

    assert.equal(result.reused, true);
    assert.equal(result.image.fingerprint, 'cafe');
    assert.ok(lines.some((line) => /reusing image cafe/.test(line)), lines.join('\n'));
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
