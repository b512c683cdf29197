import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

function stdout(cell: HarvestedCell, name: string): string {
  const output = cell.command(name);
  assert.equal(output.exitCode, 0, `"${name}" failed (exit ${output.exitCode}): ${output.stderr.trim()}`);
  return output.stdout.trim();
}

describeCase('ssh_genkeytypes', (cell) => {
  it('leaves exactly the ed25519 and rsa host keys, with the right modes', () => {
    assert.deepEqual(stdout(cell, 'host-keys').split('\n').sort(), [
      'ssh_host_ed25519_key 600 root:root',
      'ssh_host_ed25519_key.pub 644 root:root',
      'ssh_host_rsa_key 600 root:root',
      'ssh_host_rsa_key.pub 644 root:root',
    ]);
  });

  it('each public key belongs to its private key', () => {
    const lines = stdout(cell, 'pairs').split('\n');
    assert.equal(lines.length, 2, lines.join('\n'));
    for (const line of lines) {
      // "<type> <derived public key> | <stored public key>"
      const [, type, derived, stored] = /^(\S+) (.+) \| (.+)$/.exec(line) ?? [];
      assert.ok(derived && stored, `unparsable: ${line}`);
      assert.equal(derived, stored, `${type}: the stored public key is not the private key's`);
    }
  });

  it('generated a real rsa key (3072 bits, ssh-keygen default)', () => {
    assert.match(stdout(cell, 'rsa-bits'), /^3072 SHA256:/);
  });

  it('sshd serves exactly these two types', () => {
    assert.deepEqual(stdout(cell, 'keyscan').split('\n'), ['ssh-ed25519', 'ssh-rsa']);
  });
});
