import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('power_state_reboot', (cell) => {
  const runs = (): string[][] => cell.file('/var/lib/cloudproof/runs.log').trim().split('\n').map((line) => line.split(' '));

  it('bootcmd ran in two different boots, runcmd in the first of them only', () => {
    const [first, second, ...rest] = runs().filter(([what]) => what === 'bootcmd').map(([, bootId]) => bootId);
    assert.equal(rest.length, 0, `bootcmd ran ${rest.length + 2} times`);
    assert.ok(first !== undefined && second !== undefined && first !== second, `bootcmd boots: ${first}, ${second}`);
    assert.deepEqual(runs().filter(([what]) => what === 'runcmd').map(([, bootId]) => bootId), [first]);
  });

  it('the last boot is the one the harness harvested', () => {
    assert.equal(runs().at(-1)?.[1], cell.bootId);
  });

  it('says it is rebooting in the first boot', () => {
    assert.match(cell.log(), /cloudproof reboots|[Rr]ebooting/);
  });
});
