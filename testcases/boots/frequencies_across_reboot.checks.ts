import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

/** What ran, in order, as "<what> <boot id>" lines. */
function runs(cell: HarvestedCell): string[] {
  return cell.file('/var/lib/cloudproof/frequency.log').trim().split('\n');
}

describeCase('frequencies_across_reboot', (cell) => {
  it('the first boot ran every module and script once, all in that boot', () => {
    const first = cell.boot(1);
    const bootId = first.bootId ?? '';
    assert.deepEqual(
      runs(first).sort(),
      ['bootcmd', 'per-boot', 'per-instance', 'per-once', 'runcmd'].map((what) => `${what} ${bootId}`).sort(),
    );
  });

  it('the second boot ran bootcmd and the per-boot script again, and nothing else', () => {
    const again = runs(cell).slice(runs(cell.boot(1)).length);
    assert.deepEqual(again.sort(), [`bootcmd ${cell.bootId ?? ''}`, `per-boot ${cell.bootId ?? ''}`]);
  });

  it('kept the instance-id: the second boot is the same instance', () => {
    assert.equal(cell.file('/var/lib/cloud/data/instance-id'), cell.boot(1).file('/var/lib/cloud/data/instance-id'));
  });
});
