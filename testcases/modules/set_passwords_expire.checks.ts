import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

function stdout(cell: HarvestedCell, name: string): string {
  const output = cell.command(name);
  assert.equal(output.exitCode, 0, `"${name}" failed (exit ${output.exitCode}): ${output.stderr.trim()}`);
  return output.stdout.trim();
}

describeCase('set_passwords_expire', (cell) => {
  it("sets the default user's password, which authenticates", () => {
    assert.equal(stdout(cell, 'verify'), 'match');
  });

  it('replaces the default lock ("!") with a hash', () => {
    const field = stdout(cell, 'shadow').split(':')[1] ?? '';
    assert.match(field, /^\$(y|6|5|2b)\$/, `${cell.fact('default_user')}'s shadow password field: ${field}`);
  });

  it('expires it: last change 0, a new password is required', () => {
    assert.equal(stdout(cell, 'shadow').split(':')[2], '0');
    assert.match(stdout(cell, 'chage'), /^Last password change\s*:\s*password must be changed$/m);
  });

  it('leaves sshd alone without ssh_pwauth', () => {
    assert.equal(stdout(cell, 'drop-in'), 'absent');
  });
});
