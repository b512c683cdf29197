import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('instance_id_change', (cell) => {
  const firstId = (): string => cell.boot(1).file('/var/lib/cloud/data/instance-id').trim();

  it('the second boot runs as the new instance, and saw the old one as the previous instance', () => {
    assert.notEqual(firstId(), 'cloudproof-relaunched');
    assert.equal(cell.file('/var/lib/cloud/data/instance-id').trim(), 'cloudproof-relaunched');
    const secondBoot = cell.log().slice(cell.boot(1).log().length);
    assert.ok(secondBoot.includes(`previous iid found to be ${firstId()}`), `the second boot's cloud-init.log does not name ${firstId()} as the previous instance-id`);
  });

  it('runcmd ran again, once per instance', () => {
    assert.deepEqual(cell.file('/var/lib/cloudproof/runcmd.log').trim().split('\n'), [`runcmd ${firstId()}`, 'runcmd cloudproof-relaunched']);
  });

  it('the new instance got new ssh host keys', () => {
    assert.notEqual(cell.command('host-key').stdout, cell.boot(1).command('host-key').stdout);
  });
});
