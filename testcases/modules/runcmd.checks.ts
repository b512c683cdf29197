import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('runcmd', (cell) => {
  it('ran every command once, in order, as root, with shell and argv semantics', () => {
    // Every command appends, so a command run twice (or a second run of the script) shows.
    // Line 2: the argv entry's words reached sh -c verbatim ("a b;c $HOME" not split, not expanded).
    // Line 3: a string entry goes through the shell ($((...)) expanded).
    assert.equal(
      cell.file('/root/runcmd.log'),
      ['1 shell uid=0 user=root', '2 argv a b;c $HOME', '3 shell 3', '4 last', ''].join('\n'),
      'runcmd.log is not the four lines in order (missing, repeated or reordered commands, or not root)',
    );
  });

  it('the files runcmd made are root-owned', () => {
    const stat = cell.command('stat');
    assert.equal(stat.exitCode, 0, `stat failed (the argv-form touch did not run?):\n${stat.stderr}`);
    assert.equal(stat.stdout, '/root/runcmd.log 644 root:root\n/root/runcmd-argv-touched 644 root:root\n');
  });

  it('cloud-init turned the list into one shell script, argv entries quoted word by word', () => {
    const script = cell.file('/var/lib/cloud/instance/scripts/runcmd');
    const lines = script.trimEnd().split('\n');
    assert.equal(lines[0], '#!/bin/sh', `the runcmd script does not start with #!/bin/sh:\n${script}`);
    assert.equal(lines.length, 6, `expected a shebang and 5 commands:\n${script}`);
    assert.equal(lines[2], `'sh' '-c' 'echo "2 argv $1" >> /root/runcmd.log' 'sh' 'a b;c $HOME'`, `argv entry not quoted as expected:\n${script}`);
    assert.equal(lines[4], `'touch' '/root/runcmd-argv-touched'`);
  });
});
