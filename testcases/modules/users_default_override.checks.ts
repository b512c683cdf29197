import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM+0hTQW58nsrLxnp6483QyFvEalM1bMK+K7wK4vU/Zy cloudproof-test@example.invalid';

describeCase('users_default_override', (cell) => {
  it('creates cloudy with the gecos from user-data and the distro default shell', () => {
    const [name, , , , gecos, home, shell] = cell.stdoutOf('passwd-cloudy').trim().split(':');
    assert.deepEqual([name, gecos, home, shell], ['cloudy', 'Cloudy Default', '/home/cloudy', '/bin/bash']);
  });

  it("gives cloudy the distro default user's groups", () => {
    const id = cell.stdoutOf('id-cloudy').trim();
    for (const group of ['adm', 'sudo', 'cdrom', 'dip', 'plugdev']) {
      assert.match(id, new RegExp(`\\(${group}\\)`), `cloudy is not in ${group}: ${id}`);
    }
  });

  it("writes the distro's sudo rule for cloudy, and none for the image's default name", () => {
    const rules = cell.file('/etc/sudoers.d/90-cloud-init-users');
    const lines = rules.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    assert.deepEqual(lines, ['cloudy ALL=(ALL) NOPASSWD:ALL'], rules);
  });

  it('locks cloudy\'s password, as the distro default user is', () => {
    assert.match(cell.stdoutOf('shadow-cloudy').trim(), /^cloudy:!/);
  });

  it("creates no account of the image's default name", () => {
    assert.equal(cell.stdoutOf('image-default-user').trim(), 'absent', `${cell.fact('default_user')} exists`);
  });

  it("puts the top-level key in cloudy's authorized_keys, and root's stanza names cloudy", () => {
    assert.equal(cell.file('/home/cloudy/.ssh/authorized_keys').trim(), KEY);
    const root = cell.file('/root/.ssh/authorized_keys');
    assert.match(root, /Please login as the user \\"cloudy\\" rather than the user \\"root\\"/, root);
  });
});
