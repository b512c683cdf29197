import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('users_sudo_list', (cell) => {
  it('writes both rules for eve, and sudo accepts the file', () => {
    const rules = cell.file('/etc/sudoers.d/90-cloud-init-users');
    const eve = rules.split('\n').filter((line) => line.startsWith('eve '));
    assert.deepEqual(eve, ['eve ALL=(ALL) NOPASSWD: /usr/bin/id', 'eve ALL=(nobody) NOPASSWD: /usr/bin/whoami'], rules);
    assert.equal(cell.command('visudo').exitCode, 0, cell.command('visudo').stdout);
  });

  it('sudo enforces both rules and refuses what neither allows', () => {
    assert.equal(cell.stdoutOf('sudo-id').trim(), 'root');
    assert.equal(cell.stdoutOf('sudo-whoami-nobody').trim(), 'nobody');
    const refused = cell.command('sudo-whoami-root');
    assert.notEqual(refused.exitCode, 0, 'eve ran whoami as root, which no rule allows');
  });

  it('the schema passes, or (22.4) rejects only the users entry with the sudo list', () => {
    const schema = cell.command('schema-system');
    const text = schema.stdout + schema.stderr;
    if (schema.exitCode === 0) return;
    const errors = /Cloud config schema errors: (.*)/.exec(text)?.[1] ?? '';
    assert.match(errors, /^users\.1: \{.*'sudo': \['ALL=\(ALL\) NOPASSWD: \/usr\/bin\/id', .*\} is not valid under any of the given schemas$/, text);
  });
});
