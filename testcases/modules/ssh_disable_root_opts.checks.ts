import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM+0hTQW58nsrLxnp6483QyFvEalM1bMK+K7wK4vU/Zy cloudproof-test@example.invalid';

describeCase('ssh_disable_root_opts', (cell) => {
  it("puts the key behind exactly the given options, $USER and $DISABLE_USER substituted", () => {
    assert.equal(
      cell.file('/root/.ssh/authorized_keys').trim(),
      `no-port-forwarding,no-agent-forwarding,no-X11-forwarding,command="echo cloudproof: use ${cell.fact('default_user')}, not root;exit 142" ${KEY}`,
    );
  });

  it('ssh_pwauth: false writes PasswordAuthentication no to a 0600 drop-in', () => {
    assert.match(cell.file('/etc/ssh/sshd_config.d/50-cloud-init.conf'), /^PasswordAuthentication no$/m);
    assert.equal(cell.stdoutOf('drop-in-mode').trim(), '600 root:root');
  });

  it('sshd applies it to root and to other users; root may still log in with a key', () => {
    assert.deepEqual(cell.stdoutOf('sshd-root').trim().split('\n').sort(), ['passwordauthentication no', 'permitrootlogin without-password']);
    assert.equal(cell.stdoutOf('sshd-user').trim(), 'passwordauthentication no');
    assert.equal(cell.stdoutOf('ssh-active').trim(), 'active');
  });
});
