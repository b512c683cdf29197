import assert from 'node:assert/strict';
import { mmdebstrapArgs } from './build-rootfs.js';
import { debianRecipe } from './recipe.js';

describe('mmdebstrapArgs', () => {
  it('asks for the apt variant, the recipe packages and hooks, into a directory', () => {
    const recipe = debianRecipe('trixie', 'x64');
    const args = mmdebstrapArgs(recipe, '/cache/build-1/rootfs');

    assert.ok(args.includes('--variant=apt'));
    assert.ok(args.includes('--architectures=amd64'));
    assert.ok(args.includes('--format=directory'));
    assert.ok(args.includes(`--include=${recipe.packages.join(',')}`));
    assert.equal(args.filter((arg) => arg.startsWith('--customize-hook=')).length, recipe.customizeHooks.length);
    assert.deepEqual(args.slice(-2), ['trixie', '/cache/build-1/rootfs']);
  });
});
