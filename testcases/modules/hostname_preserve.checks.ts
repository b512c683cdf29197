import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

interface InstanceData {
  readonly v1: { readonly local_hostname: string };
}

describeCase('hostname_preserve', (cell) => {
  const platformName = (): string => (JSON.parse(cell.file('/run/cloud-init/instance-data.json')) as InstanceData).v1.local_hostname;

  it("keeps the platform's name in the kernel and /etc/hostname", () => {
    assert.equal(cell.command('hostname').stdout.trim(), platformName());
    assert.equal(cell.file('/etc/hostname').trim(), platformName());
  });

  it("the user-data's names appear nowhere", () => {
    for (const path of ['/etc/hostname', '/etc/hosts']) {
      assert.doesNotMatch(cell.file(path), /should-not-be-used/, `${path} has the user-data hostname`);
    }
    assert.doesNotMatch(cell.command('hostname').stdout, /should-not-be-used/);
  });

  it('set_hostname and update_hostname both say they skipped because of preserve_hostname', () => {
    const log = cell.log();
    assert.match(log, /cc_set_hostname\.py\[DEBUG\]: Configuration option 'preserve_hostname' is set, not setting the hostname in module set_hostname/);
    assert.match(log, /cc_update_hostname\.py\[DEBUG\]: Configuration option 'preserve_hostname' is set, not updating the hostname in module update_hostname/);
  });
});
