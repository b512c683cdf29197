import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

const HASH = '$6$cloudproofsalt1$Wtk6K.ZKWXeKjcWQo7ql12K46pbDfXf1EdueQjQg/3c287z5075FssThn/hdrl9fN3jrlAOXZHCU0C7an87s7/';

/** The password field of each user's /etc/shadow line. */
function shadow(cell: HarvestedCell): Map<string, string> {
  const output = cell.command('shadow');
  assert.equal(output.exitCode, 0, `getent shadow failed (a user is missing?): ${output.stderr}`);
  return new Map(
    output.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [name, password] = line.split(':');
        return [name ?? '', password ?? ''] as const;
      }),
  );
}

describeCase('users_passwords', (cell) => {
  it('stores the given SHA-512 hash verbatim', () => {
    assert.equal(shadow(cell).get('hashuser'), HASH);
  });

  it('hashes plain_text_passwd (never stores it in clear)', () => {
    const field = shadow(cell).get('plainuser') ?? '';
    assert.match(field, /^\$(y|6|5|2b)\$/, `plainuser's shadow field is not a crypt hash: ${field}`);
    assert.ok(!field.includes('plain-Pa55'), 'the plain text password is in /etc/shadow');
  });

  it('each password authenticates, and a wrong one does not', () => {
    const verify = cell.command('verify');
    assert.equal(verify.exitCode, 0, verify.stderr);
    assert.deepEqual(verify.stdout.trim().split('\n'), [
      'match hashuser right',
      'mismatch hashuser wrong',
      'match plainuser right',
      'mismatch plainuser wrong',
    ]);
  });

  it('lock_passwd (default true) keeps the hash behind "!"', () => {
    assert.equal(shadow(cell).get('lockeduser'), `!${HASH}`);
  });

  it('passwd -S: usable password (P) for the unlocked users, locked (L) for lockeduser', () => {
    const status = cell.command('status').stdout.trim().split('\n').map((line) => line.split(' ').slice(0, 2).join(' '));
    assert.deepEqual(status, ['hashuser P', 'plainuser P', 'lockeduser L']);
  });
});
