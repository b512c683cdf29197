import assert from 'node:assert/strict';
import { describeCase } from '../api.js';
import { shown } from '../status-checks.js';

const WARNING = 'Invalid option for apt_pipelining: True';

// 23.4 brought recoverable errors, the "degraded" status and exit code 2.
describeCase('status_exit_degraded', (cell) => {
  it('plain `status` says done, exiting 2 from 23.4 on and 0 before', () => {
    const output = cell.command('status');
    assert.match(output.stdout, /^status: done$/m, shown(output));
    assert.equal(output.exitCode, cell.cloudInitIs('>=23.4') ? 2 : 0, shown(output));
  });

  it('--format json: degraded with the WARNING as a recoverable error (23.4+), or plain done (earlier)', () => {
    const output = cell.command('status-json');
    const status = JSON.parse(output.stdout) as { status: string; extended_status?: string; errors: unknown[]; recoverable_errors?: Record<string, string[]> };
    assert.equal(status.status, 'done');
    assert.deepEqual(status.errors, []);
    if (cell.cloudInitIs('>=23.4')) {
      assert.equal(output.exitCode, 2, shown(output));
      assert.equal(status.extended_status, 'degraded done');
      assert.deepEqual(status.recoverable_errors, { WARNING: [WARNING] });
    } else {
      assert.equal(output.exitCode, 0, shown(output));
      assert.equal(status.recoverable_errors, undefined, '22.4 has no recoverable errors');
    }
  });

  it('--long names the WARNING from 23.4 on', () => {
    const output = cell.command('status-long');
    if (cell.cloudInitIs('>=23.4')) {
      assert.equal(output.exitCode, 2, shown(output));
      assert.match(output.stdout, /^extended_status: degraded done$/m, shown(output));
      assert.match(output.stdout, new RegExp(`^recoverable_errors:\\nWARNING:\\n\\s+- ${WARNING}$`, 'm'), shown(output));
    } else {
      assert.equal(output.exitCode, 0, shown(output));
      assert.doesNotMatch(output.stdout, /apt_pipelining/, shown(output));
    }
  });
});
