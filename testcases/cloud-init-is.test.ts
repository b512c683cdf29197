import assert from 'node:assert/strict';
import type { CellRecord } from '../results-schema/cell-record.js';
import { HarvestedCell, MissingHarvestError } from './api.js';
import type { TestCase } from './case.js';

/** A cell that ran cloud-init `version`: cloudInitIs reads nothing else. */
function cellWith(version: string | undefined): HarvestedCell {
  const record = { image: { ref: 'debian/bookworm', fingerprint: 'f', cloudInitVersion: version } } as CellRecord;
  return new HarvestedCell(record, { name: 'c', boots: { count: 1, rebootBy: 'harness', beforeReboot: undefined } } as TestCase, '/nonexistent');
}

describe('cell.cloudInitIs(range)', () => {
  it("tells a check which side of a release the cell's cloud-init is on, from the package version", () => {
    assert.equal(cellWith('22.4.2-1+deb12u4').cloudInitIs('<23.4'), true);
    assert.equal(cellWith('22.4.2-1+deb12u4').cloudInitIs('>=23.4'), false);
    assert.equal(cellWith('25.1.4-1+deb13u1').cloudInitIs('>=24.3'), true);
  });

  it('refuses to guess when the version is unknown, naming the image and the range', () => {
    assert.throws(() => cellWith(undefined).cloudInitIs('>=23.4'), (error: Error) => {
      assert.ok(error instanceof MissingHarvestError);
      assert.equal(error.message, 'the cloud-init version of debian/bookworm is unknown (""), so ">=23.4" cannot be told');
      return true;
    });
    assert.throws(() => cellWith('unreleased').cloudInitIs('>=23.4'), /is unknown \("unreleased"\)/);
  });
});
