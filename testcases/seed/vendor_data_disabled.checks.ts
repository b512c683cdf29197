import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('vendor_data_disabled', (cell) => {
  it('applies the user-data', () => {
    assert.equal(cell.file('/etc/cloudproof-user'), 'written by user-data\n');
  });

  it('ignores the vendor-data', () => {
    assert.equal(cell.hasFile('/etc/cloudproof-vendor'), false, 'vendor-data wrote its file although user-data disabled it');
  });
});
