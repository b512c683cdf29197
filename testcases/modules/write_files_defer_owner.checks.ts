import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

/** Line numbers in cloud-init.log where each module's run starts ("start: <stage>/config-<name>: running"). */
function moduleStart(log: string, event: string): number {
  const at = log.split('\n').findIndex((line) => line.includes(`start: ${event}: running`));
  assert.ok(at >= 0, `cloud-init.log never starts ${event}`);
  return at;
}

describeCase('write_files_defer_owner', (cell) => {
  it('writes the deferred file with its content, owner, group and mode', () => {
    assert.equal(cell.file('/home/deferowner/deferred.txt'), 'for deferowner\n');
    const stat = cell.command('stat');
    assert.equal(stat.exitCode, 0, stat.stderr);
    // the home's mode is the distro's useradd default (0755 on bookworm, 0700 on trixie): only its owner is judged
    const [home, file] = stat.stdout.trim().split('\n');
    assert.match(home ?? '', /^\/home\/deferowner deferowner:deferowner \d+$/, stat.stdout);
    assert.equal(file, '/home/deferowner/deferred.txt deferowner:deferowner 600', stat.stdout);
  });

  it('the owner can read it as itself', () => {
    assert.equal(cell.command('read-as-owner').stdout, 'for deferowner\n');
  });

  it('writes it in the final stage, after users-groups created the owner', () => {
    const log = cell.log();
    const users = moduleStart(log, 'init-network/config-users-groups');
    const deferred = moduleStart(log, 'modules-final/config-write-files-deferred');
    assert.ok(users < deferred, 'write-files-deferred started before users-groups');
    assert.ok(moduleStart(log, 'init-network/config-write-files') < users, 'write_files (not deferred) no longer runs before users-groups: this case no longer shows why defer is needed');
  });

  it('the file was in place, as deferowner, when the runcmd script ran later in the final stage', () => {
    assert.equal(cell.file('/var/lib/cloudproof-defer-at-runcmd.txt'), 'deferowner:deferowner 600\n');
  });
});
