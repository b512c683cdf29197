import assert from 'node:assert/strict';
import { HarnessError } from '../../core/errors.js';
import { canonicalJson, recipeHash, type ImageRecipe } from '../recipe.js';
import { DEBIAN_RELEASES, debianRecipe } from './recipe.js';

describe('debianRecipe', () => {
  it('gives the same hash every time it is asked', () => {
    assert.equal(recipeHash(debianRecipe('bookworm', 'x64')), recipeHash(debianRecipe('bookworm', 'x64')));
    assert.match(recipeHash(debianRecipe('bookworm', 'x64')), /^[0-9a-f]{64}$/);
  });

  it('hashes the same content the same whatever the order of its keys', () => {
    const recipe = debianRecipe('bookworm', 'x64');
    const reordered = Object.fromEntries(Object.entries(recipe).reverse()) as unknown as ImageRecipe;
    assert.notEqual(JSON.stringify(reordered), JSON.stringify(recipe));
    assert.equal(recipeHash(reordered), recipeHash(recipe));
  });

  it('changes the hash when a package changes', () => {
    const recipe = debianRecipe('bookworm', 'x64');
    const more = { ...recipe, packages: [...recipe.packages, 'curl'] };
    assert.notEqual(recipeHash(more), recipeHash(recipe));
  });

  it('changes the hash when a customize hook changes', () => {
    const recipe = debianRecipe('bookworm', 'x64');
    const edited: ImageRecipe = { ...recipe, customizeHooks: [...recipe.customizeHooks, 'touch "$1/etc/marker"'] };
    assert.notEqual(recipeHash(edited), recipeHash(recipe));
  });

  it('changes the hash with the release and the architecture', () => {
    const hashes = new Set([
      ...DEBIAN_RELEASES.map((release) => recipeHash(debianRecipe(release, 'x64'))),
      recipeHash(debianRecipe('bookworm', 'arm64')),
    ]);
    assert.equal(hashes.size, DEBIAN_RELEASES.length + 1);
  });

  it('installs isc-dhcp-client up to bookworm and not from trixie on', () => {
    for (const release of ['bullseye', 'bookworm']) {
      assert.ok(debianRecipe(release, 'x64').packages.includes('isc-dhcp-client'), release);
    }
    for (const release of ['trixie', 'sid']) {
      const packages = debianRecipe(release, 'x64').packages;
      assert.ok(!packages.includes('isc-dhcp-client'), release);
      assert.ok(packages.includes('cloud-init') && packages.includes('locales'), release);
    }
    assert.deepEqual(debianRecipe('bullseye', 'x64').packages, debianRecipe('bookworm', 'x64').packages);
  });

  it('names architectures as Debian does, and says what it is in the description', () => {
    assert.equal(debianRecipe('bookworm', 'x64').architecture, 'amd64');
    const recipe = debianRecipe('bookworm', 'arm64');
    assert.equal(recipe.architecture, 'arm64');
    assert.deepEqual({ distro: recipe.distro, release: recipe.release }, { distro: 'debian', release: 'bookworm' });
    assert.equal(recipe.description, 'Debian bookworm arm64 with cloud-init (cloudproof)');
  });

  it('rejects an unknown release with a usage error listing the known ones', () => {
    assert.throws(
      () => debianRecipe('buster', 'x64'),
      (error: unknown) => {
        assert.ok(error instanceof HarnessError);
        assert.equal(error.code, 'USAGE');
        assert.match(error.oneLine(), /buster/);
        for (const release of DEBIAN_RELEASES) assert.match(error.oneLine(), new RegExp(release));
        return true;
      },
    );
  });

  it('empties machine-id rather than writing "uninitialized", and drops SSH host keys', () => {
    const hooks = debianRecipe('bookworm', 'x64').customizeHooks.join('\n');
    assert.match(hooks, /truncate -s 0 "\$1\/etc\/machine-id"/);
    assert.doesNotMatch(hooks, /uninitialized/);
    assert.match(hooks, /rm -f "\$1"\/etc\/ssh\/ssh_host_\*/);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
  });
});
