import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('ssh_genkeytypes', (cell) => {
  it('bootcmd planted an ecdsa and an ed25519 host key before the ssh module ran', () => {
    assert.deepEqual(cell.file('/run/cloudproof/planted-keys').trim().split('\n'), [
      'ssh_host_ecdsa_key',
      'ssh_host_ecdsa_key.pub',
      'ssh_host_ed25519_key',
      'ssh_host_ed25519_key.pub',
    ]);
  });

  it('replaced the planted ed25519 key with a new one (ssh_deletekeys)', () => {
    const planted = cell.file('/run/cloudproof/planted-ed25519').trim();
    assert.match(planted, /^SHA256:/, `no planted fingerprint: ${planted}`);
    assert.notEqual(cell.stdoutOf('ed25519-fingerprint').trim(), planted, 'the ed25519 host key is still the one bootcmd planted: ssh_deletekeys did not delete it');
  });

  it('leaves exactly the ed25519 and rsa host keys (the planted ecdsa one is gone), with the right modes', () => {
    assert.deepEqual(cell.stdoutOf('host-keys').trim().split('\n').sort(), [
      'ssh_host_ed25519_key 600 root:root',
      'ssh_host_ed25519_key.pub 644 root:root',
      'ssh_host_rsa_key 600 root:root',
      'ssh_host_rsa_key.pub 644 root:root',
    ]);
  });

  it('each public key belongs to its private key', () => {
    const lines = cell.stdoutOf('pairs').trim().split('\n');
    assert.equal(lines.length, 2, lines.join('\n'));
    for (const line of lines) {
      // "<type> <derived public key> | <stored public key>"
      const [, type, derived, stored] = /^(\S+) (.+) \| (.+)$/.exec(line) ?? [];
      assert.ok(derived && stored, `unparsable: ${line}`);
      assert.equal(derived, stored, `${type}: the stored public key is not the private key's`);
    }
  });

  it('generated a real rsa key (3072 bits, ssh-keygen default)', () => {
    assert.match(cell.stdoutOf('rsa-bits').trim(), /^3072 SHA256:/);
  });

  it('sshd serves exactly these two types', () => {
    assert.deepEqual(cell.stdoutOf('keyscan').trim().split('\n'), ['ssh-ed25519', 'ssh-rsa']);
  });
});
