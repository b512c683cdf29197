import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('runcmd_failure', (cell) => {
  it('runs every command, including those after a failing one', () => {
    assert.equal(cell.file('/root/runcmd-failure.log'), '1 before\n2 failing with 3\n3 after the failure\n');
  });

  it('writes the commands into one sh script, without set -e', () => {
    const script = cell.file('/var/lib/cloud/instance/scripts/runcmd');
    const lines = script.trimEnd().split('\n');
    assert.equal(lines[0], '#!/bin/sh', script);
    assert.equal(lines.length, 5, `expected the shebang and four commands:\n${script}`);
    assert.equal(lines[4], 'false', `the quoted 'false' should be the last command:\n${script}`);
    assert.doesNotMatch(script, /set -e/, script);
  });

  it('reports the failure as an error of scripts-user that names runcmd', () => {
    const status = cell.status();
    assert.equal(status.status, 'error');
    const errors = (status.errors ?? []).join('\n');
    assert.match(errors, /Runparts: 1 failures \(runcmd\) in 1 attempted commands/, `cloud-init status errors:\n${errors}`);
  });

  it('logs the exit status of the script (the last command), not the middle one', () => {
    // subp's error: "Command: ['/var/lib/cloud/instance/scripts/runcmd']" then "Exit code: 1"
    assert.match(cell.log(), /^Command: \['\/var\/lib\/cloud\/instance\/scripts\/runcmd'\]\nExit code: 1$/m, 'cloud-init.log does not record the runcmd script exiting with 1');
  });
});
