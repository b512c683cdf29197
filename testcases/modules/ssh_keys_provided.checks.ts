import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

const PUBLIC = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFYSZnVv7EyiyeXBNO9LJLdhlzTyU8lq9Mlf2WsCS9Gd';
const FINGERPRINT = 'SHA256:1QHGsPaBxXUdLHESpE2XetA7l04AdxJlTFsblOagTfw';
const USER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM+0hTQW58nsrLxnp6483QyFvEalM1bMK+K7wK4vU/Zy cloudproof-test@example.invalid';

/** The private key as the case's cloud-config gives it. */
function givenPrivateKey(cell: HarvestedCell): string {
  const match = /ed25519_private: \|\n((?: {4}.*\n)+)/.exec(cell.userData());
  assert.ok(match?.[1], 'cannot find ed25519_private in the user-data');
  return match[1].replace(/^ {4}/gm, '');
}

describeCase('ssh_keys_provided', (cell) => {
  it('the given pair is the only host key; the private half is 0600 root:root', () => {
    const keys = cell.stdoutOf('host-keys').trim().split('\n').sort();
    assert.deepEqual(keys.map((line) => line.split(' ')[0]), ['ssh_host_ed25519_key', 'ssh_host_ed25519_key.pub'], keys.join('\n'));
    assert.ok(keys.includes('ssh_host_ed25519_key 600 root:root'), keys.join('\n'));
  });

  it('stores the private key byte for byte and the public key as given', () => {
    assert.equal(cell.file('/etc/ssh/ssh_host_ed25519_key'), givenPrivateKey(cell));
    assert.equal(cell.file('/etc/ssh/ssh_host_ed25519_key.pub').trim(), `${PUBLIC} cloudproof-hostkey`);
  });

  it('the stored private key has the fingerprint it was made with', () => {
    assert.match(cell.stdoutOf('fingerprint').trim(), new RegExp(`^256 ${FINGERPRINT} `));
  });

  it('sshd serves the given key', () => {
    assert.equal(cell.stdoutOf('keyscan').trim(), PUBLIC);
  });

  it('disable_root: false gives root the bare key', () => {
    assert.equal(cell.file('/root/.ssh/authorized_keys').trim(), USER_KEY);
  });
});
