import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

interface V1 {
  readonly instance_id: string;
  readonly local_hostname: string;
  readonly distro: string;
  readonly platform: string;
}

describeCase('instance_data_query', (cell) => {
  const v1 = (): V1 => (JSON.parse(cell.file('/run/cloud-init/instance-data.json')) as { v1: V1 }).v1;

  it('answers v1 keys and their top-level aliases with instance-data.json values', () => {
    assert.equal(cell.stdoutOf('q-v1-instance-id').trim(), v1().instance_id);
    assert.equal(cell.stdoutOf('q-alias-local-hostname').trim(), v1().local_hostname);
  });

  it('renders a --format template', () => {
    assert.equal(cell.stdoutOf('q-format').trim(), `id=${v1().instance_id} distro=${v1().distro} platform=${v1().platform}`);
  });

  it('gives root the user-data cloud-init received', () => {
    assert.equal(cell.stdoutOf('q-userdata').trim(), cell.file('/var/lib/cloud/instance/user-data.txt').trim());
  });

  it('keeps sensitive instance-data root-only (0600), the rest world-readable (0644)', () => {
    assert.deepEqual(cell.stdoutOf('modes').trim().split('\n'), [
      '/run/cloud-init/instance-data.json 644 root:root',
      '/run/cloud-init/instance-data-sensitive.json 600 root:root',
    ]);
  });

  it('an unprivileged user gets v1 keys but not the user-data', () => {
    assert.equal(cell.stdoutOf('nobody-instance-id').trim(), v1().instance_id);
    const userdata = cell.command('nobody-userdata');
    assert.ok(!userdata.stdout.includes('cloudproof instance_data_query done'), 'nobody read the user-data');
    // 22.4 answers (exit 0) with a placeholder naming the root-only file
    assert.match(userdata.stdout.trim(), /^<redacted for non-root user> file:\/var\/lib\/cloud\/instance\/user-data\.txt$/, userdata.stdout + userdata.stderr);
  });
});
