import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

/** Parses "key=value key=value" into a record. */
function fields(line: string): Record<string, string> {
  return Object.fromEntries(line.trim().split(/\s+/).map((pair) => pair.split('=', 2) as [string, string]));
}

describeCase('bootcmd', (cell) => {
  const bootcmdLines = (): string[] => cell.file('/var/lib/cloudproof/bootcmd.log').trim().split('\n');

  it('ran exactly once on this first boot', () => {
    const lines = bootcmdLines();
    assert.equal(lines.length, 1, `bootcmd.log has ${lines.length} lines:\n${lines.join('\n')}`);
  });

  it('ran in this boot, with INSTANCE_ID set to the instance-id', () => {
    const marker = fields(bootcmdLines()[0] ?? '');
    const bootId = cell.command('boot-id').stdout.trim();
    assert.ok(bootId, 'no boot id was harvested');
    assert.equal(marker.boot_id, bootId, `bootcmd ran in boot ${marker.boot_id}, the instance was harvested in boot ${bootId}`);
    const instanceId = cell.file('/var/lib/cloud/data/instance-id').trim();
    assert.equal(marker.instance_id, instanceId, `bootcmd saw INSTANCE_ID=${marker.instance_id}, the instance-id is ${instanceId}`);
  });

  it('ran before write_files and users-groups', () => {
    const marker = fields(bootcmdLines()[0] ?? '');
    assert.equal(marker.write_files, 'absent', "write_files' file already existed when bootcmd ran");
    // bootcmd cannot know the image's default user (user-data is not templated): it lists
    // every login user then, and the default user must be missing from that list.
    const user = cell.fact('default_user');
    const loginUsers = (marker.login_users ?? '').split(',').filter(Boolean);
    assert.ok(
      !loginUsers.includes(user),
      `the default user ${user} already existed when bootcmd ran (login users: ${loginUsers.join(', ')}): bootcmd ran late, or the image was made from a booted instance (cloud-init clean does not remove users)`,
    );
    const passwd = cell.command('default-user');
    assert.equal(passwd.exitCode, 0, `users-groups did not create ${user} later in the boot: ${passwd.stderr}`);
  });

  it('ran before runcmd', () => {
    const boot = fields(bootcmdLines()[0] ?? '');
    const run = fields(cell.file('/var/lib/cloudproof/runcmd.log'));
    assert.equal(run.bootcmd_marker, 'present', "runcmd did not find bootcmd's marker");
    const bootTime = Number(boot.t);
    const runTime = Number(run.t);
    assert.ok(Number.isFinite(bootTime) && Number.isFinite(runTime), `unreadable timestamps: bootcmd t=${boot.t}, runcmd t=${run.t}`);
    assert.ok(bootTime < runTime, `bootcmd ran at ${bootTime}, not before runcmd at ${runTime}`);
  });
});
