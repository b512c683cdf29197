import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { describeCase } from '../api.js';
import { assertDoneDegradedBy } from '../status-checks.js';

describeCase('empty_cloud_config', (cell) => {
  it('stores the header-only user-data byte for byte', () => {
    assert.equal(cell.file('/var/lib/cloud/instance/user-data.txt'), '#cloud-config\n');
  });

  it('merges it into an empty config and writes no scripts', () => {
    const text = cell.file('/var/lib/cloud/instance/cloud-config.txt');
    assert.deepEqual(parse(text.slice(text.indexOf('---')), { version: '1.1' }), {}, text);
    assert.equal(cell.command('scripts').stdout, '', 'scripts were written from an empty cloud-config');
  });

  it("still applies the image's own configuration: the default user exists", () => {
    const passwd = cell.command('default-user');
    assert.equal(passwd.exitCode, 0, `no ${cell.fact('default_user')} user: ${passwd.stderr}`);
  });

  it('status is done: exit 0 before 23.4, exit 2 with the WARNING as a recoverable error from 23.4 on', () => {
    assertDoneDegradedBy(cell, 'Failed at merging in cloud config part from part-001: empty cloud config');
  });
});
