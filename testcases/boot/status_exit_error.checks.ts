import assert from 'node:assert/strict';
import { describeCase } from '../api.js';
import { shown } from '../status-checks.js';


describeCase('status_exit_error', (cell) => {
  for (const name of ['status', 'status-long', 'status-wait']) {
    it(`\`${name.replace('-', ' --')}\` exits 1 and says "status: error"`, () => {
      const output = cell.command(name);
      assert.equal(output.exitCode, 1, shown(output));
      assert.match(output.stdout, /^status: error$/m, shown(output));
    });
  }

  it('--long names the failing runcmd', () => {
    const output = cell.command('status-long');
    assert.match(output.stdout, /Runparts: 1 failures \(runcmd\) in 1 attempted commands/, shown(output));
  });

  it('--format json exits 1 and lists the failure among its errors', () => {
    const output = cell.command('status-json');
    assert.equal(output.exitCode, 1, shown(output));
    const status = JSON.parse(output.stdout) as { status: string; errors: string[] };
    assert.equal(status.status, 'error');
    assert.ok(status.errors.some((error) => /Runparts: 1 failures \(runcmd\)/.test(error)), JSON.stringify(status.errors));
  });

  it('the boot still ran to its end: boot-finished and the final message', () => {
    assert.ok(cell.hasFile('/var/lib/cloud/instance/boot-finished'), 'no boot-finished: the final stage did not finish');
    assert.match(cell.log(), /cloudproof status_exit_error reached the end/);
  });
});
