import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('clean_and_rerun', (cell) => {
  it('runcmd ran once in each boot', () => {
    const lines = cell.file('/var/lib/cloudproof/runcmd.log').trim().split('\n');
    assert.deepEqual(lines, [`runcmd ${cell.boot(1).bootId ?? ''}`, `runcmd ${cell.bootId ?? ''}`]);
  });

  it('the logs were cleaned: the last cloud-init.log holds only the second boot', () => {
    assert.equal(cell.command('init-local-runs').stdout.trim(), '1');
    assert.doesNotMatch(cell.log(), new RegExp(cell.boot(1).log().split('\n')[0]?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') ?? '^$'));
  });
});
