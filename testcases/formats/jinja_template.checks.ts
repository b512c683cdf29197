import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

interface InstanceData {
  readonly v1: { readonly instance_id: string; readonly local_hostname: string; readonly distro: string; readonly distro_release: string; readonly platform: string };
}

describeCase('jinja_template', (cell) => {
  const v1 = (): InstanceData['v1'] => (JSON.parse(cell.file('/run/cloud-init/instance-data.json')) as InstanceData).v1;

  it('renders every expression with the values of instance-data.json', () => {
    const data = v1();
    assert.deepEqual(cell.file('/var/lib/cloudproof/jinja.txt').trimEnd().split('\n'), [
      `instance_id=${data.instance_id}`,
      `local_hostname=${data.local_hostname}`,
      `distro=${data.distro} ${data.distro_release}`,
      `platform=${data.platform}`,
      `upper=${data.local_hostname.toUpperCase()}`,
      `branch=${['debian', 'ubuntu'].includes(data.distro) ? 'debian-family' : 'other'}`,
      `ds_instance_id=${data.instance_id}`,
    ]);
  });

  it('renders before parsing: the runcmd script holds the value, not the template', () => {
    const script = cell.file('/var/lib/cloud/instance/scripts/runcmd');
    assert.doesNotMatch(script, /\{\{/, script);
    assert.equal(cell.file('/var/lib/cloudproof/jinja-runcmd.txt'), `runcmd saw ${v1().instance_id}\n`);
  });
});
