import assert from 'node:assert/strict';
import { describeCase } from '../api.js';
import { shown } from '../status-checks.js';


describeCase('status_exit_done', (cell) => {
  for (const name of ['status', 'status-long', 'status-wait']) {
    it(`\`${name.replace('-', ' --')}\` exits 0 and says "status: done"`, () => {
      const output = cell.command(name);
      assert.equal(output.exitCode, 0, shown(output));
      assert.match(output.stdout, /^status: done$/m, shown(output));
    });
  }

  it('--long says how cloud-init was enabled and which datasource it used', () => {
    const output = cell.command('status-long');
    assert.match(output.stdout, /^boot_status_code: enabled-by-generator$/m, shown(output));
    assert.match(output.stdout, /DataSourceNoCloud \[seed=/, shown(output));
  });

  it('--format json exits 0 with status done and an empty error list', () => {
    const output = cell.command('status-json');
    assert.equal(output.exitCode, 0, shown(output));
    const status = JSON.parse(output.stdout) as { status: string; errors: unknown[] };
    assert.equal(status.status, 'done');
    assert.deepEqual(status.errors, []);
  });
});
