import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM+0hTQW58nsrLxnp6483QyFvEalM1bMK+K7wK4vU/Zy cloudproof-test@example.invalid';

function stdout(cell: HarvestedCell, name: string): string {
  const output = cell.command(name);
  assert.equal(output.exitCode, 0, `"${name}" failed (exit ${output.exitCode}): ${output.stderr.trim()}`);
  return output.stdout.trim();
}

describeCase('ssh_disable_root_opts', (cell) => {
  it("puts the key behind exactly the given options, $USER and $DISABLE_USER substituted", () => {
    assert.equal(
      cell.file('/root/.ssh/authorized_keys').trim(),
      `no-port-forwarding,no-agent-forwarding,no-X11-forwarding,command="echo cloudproof: use ${cell.fact('default_user')}, not root;exit 142" ${KEY}`,
    );
  });

  it('ssh_pwauth: false writes PasswordAuthentication no to a 0600 drop-in', () => {
    assert.match(cell.file('/etc/ssh/sshd_config.d/50-cloud-init.conf'), /^PasswordAuthentication no$/m);
    assert.equal(stdout(cell, 'drop-in-mode'), '600 root:root');
  });

  it('sshd applies it to root and to other users; root may still log in with a key', () => {
    assert.deepEqual(stdout(cell, 'sshd-root').split('\n').sort(), ['passwordauthentication no', 'permitrootlogin without-password']);
    assert.equal(stdout(cell, 'sshd-user'), 'passwordauthentication no');
    assert.equal(stdout(cell, 'ssh-active'), 'active');
  });
});
