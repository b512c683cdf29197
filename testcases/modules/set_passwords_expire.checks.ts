import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('set_passwords_expire', (cell) => {
  it("sets the default user's password, which authenticates", () => {
    assert.equal(cell.stdoutOf('verify').trim(), 'match');
  });

  it('replaces the default lock ("!") with a hash', () => {
    const field = cell.stdoutOf('shadow').trim().split(':')[1] ?? '';
    assert.match(field, /^\$(y|6|5|2b)\$/, `${cell.fact('default_user')}'s shadow password field: ${field}`);
  });

  it('expires it: last change 0, a new password is required', () => {
    assert.equal(cell.stdoutOf('shadow').trim().split(':')[2], '0');
    assert.match(cell.stdoutOf('chage').trim(), /^Last password change\s*:\s*password must be changed$/m);
  });

  it('leaves sshd alone without ssh_pwauth', () => {
    assert.equal(cell.stdoutOf('drop-in').trim(), 'absent');
  });
});
