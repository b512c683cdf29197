import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('vendor_data_merge', (cell) => {
  it('applies what only vendor-data sets', () => {
    assert.equal(cell.file('/etc/cloudproof-vendor'), 'written by vendor-data\n');
  });

  it("takes the user's final_message over the vendor's", () => {
    assert.match(cell.outputLog(), /cloudproof final message from user-data/);
    assert.doesNotMatch(cell.outputLog(), /cloudproof final message from vendor-data/);
  });

  it("runs the user's runcmd, not the vendor's", () => {
    assert.equal(cell.file('/var/lib/cloudproof-user-runcmd'), 'user\n');
    assert.equal(cell.hasFile('/var/lib/cloudproof-vendor-runcmd'), false, 'the vendor runcmd ran although user-data has its own');
  });
});
