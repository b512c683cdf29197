import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

function modeOf(cell: HarvestedCell, path: string): string | undefined {
  const stat = cell.command('stat');
  assert.equal(stat.exitCode, 0, `stat failed: ${stat.stderr}`);
  const line = stat.stdout.split('\n').find((candidate) => candidate.startsWith(`${path} `));
  return line?.slice(path.length + 1);
}

const BUG = 'the setgid bit was cleared by the chown write_files does after the chmod (canonical/cloud-init#6225)';

describeCase('gh6225_write_files_setgid', (cell) => {
  it('control: the filesystem keeps a setgid mode set after the owner', () => {
    assert.equal(modeOf(cell, '/usr/local/bin/cloudproof-setgid-control'), '2755 root:staff');
  });

  it('cloud-init meant to write mode 2755', () => {
    assert.match(cell.log(), /Writing to \/usr\/local\/bin\/cloudproof-setgid - wb: \[2755\]/);
  });

  it('write_files keeps 2755 with an explicit owner', () => {
    assert.equal(modeOf(cell, '/usr/local/bin/cloudproof-setgid'), '2755 root:staff', BUG);
  });

  it('write_files keeps 2755 with the default owner', () => {
    assert.equal(modeOf(cell, '/usr/local/bin/cloudproof-setgid-default-owner'), '2755 root:root', BUG);
  });
});
