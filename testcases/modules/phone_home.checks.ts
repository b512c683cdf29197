import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('phone_home', (cell) => {
  const received = (): { path: string; form: URLSearchParams } => {
    const text = cell.file('/var/lib/cloudproof-phone-home.txt');
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 2, `expected exactly one POST (path and body), got:\n${text}`);
    return { path: lines[0] ?? '', form: new URLSearchParams(lines[1] ?? '') };
  };
  const instanceId = (): string => cell.file('/var/lib/cloud/data/instance-id').trim();

  it('POSTs once, to the URL with $INSTANCE_ID substituted', () => {
    assert.equal(received().path, `/phone-home/${instanceId()}/`);
  });

  it('posts exactly the requested fields', () => {
    assert.deepEqual([...received().form.keys()].sort(), ['fqdn', 'hostname', 'instance_id', 'pub_key_ed25519']);
  });

  it('the values are the instance\'s own', () => {
    const { form } = received();
    assert.equal(form.get('instance_id'), instanceId());
    assert.equal(form.get('hostname'), instanceId(), 'the NoCloud seed names the host after the instance');
    assert.equal(form.get('pub_key_ed25519')?.trim(), cell.file('/etc/ssh/ssh_host_ed25519_key.pub').trim());
  });
});
