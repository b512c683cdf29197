import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('meta_data_extras', (cell) => {
  it('cloud-init query returns the meta-data key', () => {
    const query = cell.command('query-role');
    assert.equal(query.exitCode, 0, query.stderr);
    assert.equal(query.stdout.trim(), 'web-frontend');
  });

  it('a jinja template renders it beside the instance-id', () => {
    assert.equal(cell.file('/etc/cloudproof-role'), `web-frontend on ${cell.file('/var/lib/cloud/data/instance-id').trim()}\n`);
  });
});
