import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('vendor_data_default', (cell) => {
  it('the seed vendor-data is an empty cloud-config, and cloud-init stored it as is', () => {
    const seed = cell.file('/var/lib/cloud/seed/nocloud-net/vendor-data');
    assert.match(seed, /^#cloud-config\n\{\}\n*$/, JSON.stringify(seed));
    assert.equal(cell.file('/var/lib/cloud/instance/vendor-data.txt'), seed);
  });

  it('cloud-init query vendordata returns it', () => {
    const query = cell.command('query-vendordata');
    assert.equal(query.exitCode, 0, query.stderr);
    assert.equal(query.stdout.trim(), cell.file('/var/lib/cloud/seed/nocloud-net/vendor-data').trim());
  });

  it('the processed vendor cloud-config is empty', () => {
    const text = cell.file('/var/lib/cloud/instance/vendor-cloud-config.txt');
    const body = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    assert.deepEqual(body, ['--- {}', '...'], text);
  });

  it('no vendor script ran, and the user-data final_message is the one printed', () => {
    assert.equal(cell.command('vendor-scripts').stdout.trim(), 'none');
    assert.match(cell.outputLog(), /^cloudproof vendor_data_default done$/m);
  });
});
