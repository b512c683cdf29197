import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

type Run = Record<string, string>;

/** One record per run: "key=value|key=value|...". */
function runs(cell: HarvestedCell): Run[] {
  return cell
    .file('/var/lib/cloudproof/boothook.runs')
    .trimEnd()
    .split('\n')
    .map((line) => Object.fromEntries(line.split('|').map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)])));
}

/** The boot's own invocation: `cloud-init init` (22.4), or `cloud-init --all-stages` (24.x single-process boot). */
const isBoot = (run: Run): boolean => /^\/usr\/bin\/python3 \/usr\/bin\/cloud-init (init|--all-stages)$/.test(run.parent ?? '');

describeCase('cloud_boothook', (cell) => {
  it('ran exactly once during boot, from `cloud-init init`', () => {
    const boot = runs(cell).filter(isBoot);
    assert.equal(boot.length, 1, `runs:\n${cell.file('/var/lib/cloudproof/boothook.runs')}`);
  });

  it('that run: root, INSTANCE_ID set, init stage, before users-groups and boot-finished', () => {
    const boot = runs(cell).find(isBoot);
    assert.ok(boot, cell.file('/var/lib/cloudproof/boothook.runs'));
    assert.deepEqual(boot, {
      parent: boot.parent,
      uid: '0',
      instance_id: cell.file('/var/lib/cloud/data/instance-id').trim(),
      stage: 'init',
      users_groups: 'not-yet',
      boot_finished: 'absent',
    });
  });

  it('any other run came from `cloud-init schema --system` (22.4 consumes user-data again)', () => {
    const others = runs(cell).filter((run) => !isBoot(run));
    for (const run of others) assert.equal(run.parent, '/usr/bin/python3 /usr/bin/cloud-init schema --system', JSON.stringify(run));
  });

  it('is kept as part-001 in the boothooks folder, 0700 root:root', () => {
    const stat = cell.command('boothooks');
    assert.equal(stat.exitCode, 0, stat.stderr);
    assert.equal(stat.stdout.trim(), 'part-001 700 root:root');
  });

  it('`cloud-init schema --system` fails only because the user-data is not cloud-config', () => {
    const schema = cell.command('schema-system');
    if (schema.exitCode !== 0) {
      assert.match(schema.stdout + schema.stderr, /needs to begin with "#cloud-config"/, `${schema.stdout}${schema.stderr}`);
    }
  });
});
