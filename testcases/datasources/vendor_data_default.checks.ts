import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('vendor_data_default', (cell) => {
  it('the seed holds no vendor-data, and cloud-init stored none', () => {
    assert.equal(cell.file('/var/lib/cloud/seed/nocloud-net/vendor-data'), '');
    assert.equal(cell.file('/var/lib/cloud/instance/vendor-data.txt'), '');
  });

  it('cloud-init says the datasource had no vendor-data', () => {
    assert.match(cell.log(), /stages\.py\[DEBUG\]: no vendordata from datasource$/m);
  });

  it('cloud-init query vendordata returns nothing', () => {
    const query = cell.command('query-vendordata');
    assert.equal(query.exitCode, 0, query.stderr);
    assert.equal(query.stdout.trim(), '');
  });

  it('no vendor cloud-config was made', () => {
    assert.equal(cell.hasFile('/var/lib/cloud/instance/vendor-cloud-config.txt'), false);
  });

  it('no vendor script ran, and the user-data final_message is the one printed', () => {
    assert.equal(cell.command('vendor-scripts').stdout.trim(), 'none');
    assert.match(cell.outputLog(), /^cloudproof vendor_data_default done$/m);
  });
});
