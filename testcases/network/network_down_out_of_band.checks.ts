import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

/** The names in `ip -o link show up` output: `1: lo: <LOOPBACK,UP,...> ...`. */
function namesUp(listing: string): (string | undefined)[] {
  return listing.trim().split('\n').map((line) => line.split(':')[1]?.trim());
}

describeCase('network_down_out_of_band', (cell) => {
  it('no interface but lo was up once bootcmd had run', () => {
    assert.deepEqual(namesUp(cell.file('/run/cloudproof-links-up')), ['lo']);
  });

  it('none was up when the harness harvested: the harvest came through no guest network', () => {
    assert.deepEqual(namesUp(cell.stdoutOf('links_up_at_harvest')), ['lo']);
  });
});
