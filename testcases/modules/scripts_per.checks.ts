import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

function lines(cell: HarvestedCell, name: string): string[] {
  const output = cell.command(name);
  assert.equal(output.exitCode, 0, `"${name}" failed: ${output.stderr}`);
  return output.stdout.trim().split('\n');
}

describeCase('scripts_per', (cell) => {
  it('ran each executable script once, per-once then per-boot (in name order) then per-instance', () => {
    const instanceId = cell.file('/var/lib/cloud/data/instance-id').trim();
    assert.deepEqual(cell.file('/var/lib/cloudproof-scripts.log').trimEnd().split('\n'), [
      'per-once 10-once.sh args=0 stage=modules-final',
      'per-boot 10-first.sh args=0',
      'per-boot 20-second.sh args=0',
      `per-instance 10-instance.sh args=0 iid=${instanceId}`,
    ]);
  });

  it('records per-instance in the instance sem folder, and neither of the others there', () => {
    const sem = lines(cell, 'sem-instance');
    assert.ok(sem.includes('config_scripts_per_instance'), `instance sem: ${sem.join(' ')}`);
    assert.ok(!sem.some((name) => /scripts_per_(once|boot)/.test(name)), `instance sem: ${sem.join(' ')}`);
  });

  it('records per-once in the global sem folder, and keeps no semaphore for per-boot', () => {
    const sem = lines(cell, 'sem-global');
    assert.ok(sem.includes('config_scripts_per_once.once'), `global sem: ${sem.join(' ')}`);
    assert.ok(!sem.some((name) => /scripts_per_boot/.test(name)), `global sem: ${sem.join(' ')}`);
  });
});
