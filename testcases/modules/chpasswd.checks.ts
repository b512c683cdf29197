import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

/** /etc/shadow lines split into fields, by user name. */
function shadow(cell: HarvestedCell): Map<string, string[]> {
  const output = cell.command('shadow');
  assert.equal(output.exitCode, 0, `getent shadow failed (a user is missing?): ${output.stderr}`);
  return new Map(output.stdout.trim().split('\n').map((line) => [line.split(':')[0] ?? '', line.split(':')] as const));
}

describeCase('chpasswd', (cell) => {
  it('the text and hashed passwords authenticate, a wrong one does not', () => {
    const verify = cell.command('verify');
    assert.equal(verify.exitCode, 0, verify.stderr);
    assert.deepEqual(verify.stdout.trim().split('\n'), ['match pwtext right', 'mismatch pwtext wrong', 'match pwhash right']);
  });

  it('stores the given hash verbatim and never the clear text', () => {
    const fields = shadow(cell);
    assert.equal(fields.get('pwhash')?.[1], '$6$cloudproofsalt2$cG9imQtZ/8FivOGyoD7wi8l2.vwC.wGNTkEW94QqIQsKa6s/9Kj9UZp.bj/71.udi.BF5ANaMEg9x4BT7VZUL/');
    assert.ok(!cell.command('shadow').stdout.includes('chpasswd-Text-1'), 'a clear-text password is in /etc/shadow');
  });

  it('RANDOM sets a usable, unlocked password hash', () => {
    const field = shadow(cell).get('pwrand')?.[1] ?? '';
    assert.match(field, /^\$(y|6|5|2b)\$/, `pwrand's shadow password field: ${field}`);
  });

  it('expire: false leaves every last-change date at today, not 0', () => {
    const today = Number(cell.command('today').stdout.trim());
    for (const [user, fields] of shadow(cell)) {
      const lastChange = Number(fields[2]);
      assert.ok(Math.abs(lastChange - today) <= 1, `${user}'s last password change is day ${fields[2]}, today is day ${today}: expired?`);
    }
  });

  it('ssh_pwauth: true writes PasswordAuthentication yes to the drop-in, and sshd applies it', () => {
    assert.match(cell.file('/etc/ssh/sshd_config.d/50-cloud-init.conf'), /^PasswordAuthentication yes$/m);
    assert.equal(cell.command('sshd-effective').stdout.trim(), 'passwordauthentication yes');
    assert.equal(cell.command('ssh-active').stdout.trim(), 'active', 'sshd is not running after cloud-init restarted it');
  });
});
