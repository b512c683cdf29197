import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

const GLOBAL_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJWrAOef1i6DjGC7WNJXWVCc8UYyZVJE2KGBlMFlFInL global-admin@cloudproof.invalid';
const DEFAULT_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM+0hTQW58nsrLxnp6483QyFvEalM1bMK+K7wK4vU/Zy cloudproof-test@example.invalid';
const DAVE_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFYSZnVv7EyiyeXBNO9LJLdhlzTyU8lq9Mlf2WsCS9Gd dave@cloudproof.invalid';

function keyLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

describeCase('lp1911680_global_authorized_keys', (cell) => {
  it('sshd is configured with the global file first, then the per-user one', () => {
    const line = cell.command('sshd-keys-file').stdout.trim();
    assert.equal(line, 'authorizedkeysfile /etc/ssh/authorized_keys_global .ssh/authorized_keys');
  });

  it('the shared file still holds only the key the image put there', () => {
    const global = cell.file('/etc/ssh/authorized_keys_global');
    assert.deepEqual(keyLines(global), [GLOBAL_KEY], `cloud-init wrote into the shared AuthorizedKeysFile (LP: #1911680):\n${global}`);
    assert.match(cell.command('stat').stdout, /^\/etc\/ssh\/authorized_keys_global 644 root:root$/m);
  });

  it("the default user's key is in the default user's own file, and only there", () => {
    const user = cell.fact('default_user');
    assert.deepEqual(keyLines(cell.file(`/home/${user}/.ssh/authorized_keys`)), [DEFAULT_KEY]);
    assert.ok(cell.command('stat').stdout.split('\n').includes(`/home/${user}/.ssh/authorized_keys 600 ${user}:${user}`), cell.command('stat').stdout);
  });

  it("dave's key is in dave's own file, and only there", () => {
    assert.deepEqual(keyLines(cell.file('/home/dave/.ssh/authorized_keys')), [DAVE_KEY]);
    assert.match(cell.command('stat').stdout, /^\/home\/dave\/\.ssh\/authorized_keys 600 dave:dave$/m);
  });

  it("root's file has the key only behind the disable_root command", () => {
    const root = keyLines(cell.file('/root/.ssh/authorized_keys'));
    assert.equal(root.length, 1, `root's authorized_keys:\n${root.join('\n')}`);
    assert.ok(root[0]?.endsWith(DEFAULT_KEY), root[0]);
    const stanza = `command="echo 'Please login as the user \\"${cell.fact('default_user')}\\" rather than the user \\"root\\".';echo;sleep 10;exit 142" `;
    assert.ok(root[0]?.startsWith('no-port-forwarding,') && root[0].includes(stanza), root[0]);
  });
});
