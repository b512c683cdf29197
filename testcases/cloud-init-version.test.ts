import assert from 'node:assert/strict';
import { badVersionRange, cloudInitSatisfies } from './cloud-init-version.js';

/** Marks bounded by a cloud-init range hold only for the package versions in it. */
describe('cloud-init versions against a range', () => {
  it("reads a package's version by its release", () => {
    assert.equal(cloudInitSatisfies('22.4.2-1+deb12u4', '<23'), true);
    assert.equal(cloudInitSatisfies('25.1~3g1a2b-0ubuntu1', '>=25.1'), true);
    assert.equal(cloudInitSatisfies('25.1.4-1', '<25.1'), false);
  });

  it('says it cannot tell for a version with no release in it', () => {
    assert.equal(cloudInitSatisfies('snapshot', '<23'), undefined);
  });

  it('names a range that is not one, and passes one that is', () => {
    assert.equal(badVersionRange('<<26'), '"<<26" is not a version range (write it like ">=23.4" or "<25.3")');
    assert.equal(badVersionRange('>=22.4 <25'), undefined);
  });
});
