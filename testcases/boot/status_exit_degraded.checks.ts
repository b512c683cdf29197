import assert from 'node:assert/strict';
import { describeCase, type CommandOutput, type HarvestedCell } from '../api.js';

const show = (output: CommandOutput): string => `exit ${output.exitCode}\n${output.stdout}${output.stderr}`;
const WARNING = 'Invalid option for apt_pipelining: True';

/** 23.4 brought recoverable errors, the "degraded" status and exit code 2. */
function hasRecoverableErrors(cell: HarvestedCell): boolean {
  return cell.cloudInitIs('>=23.4');
}

describeCase('status_exit_degraded', (cell) => {
  it('plain `status` says done, exiting 2 from 23.4 on and 0 before', () => {
    const output = cell.command('status');
    assert.match(output.stdout, /^status: done$/m, show(output));
    assert.equal(output.exitCode, hasRecoverableErrors(cell) ? 2 : 0, show(output));
  });

  it('--format json: degraded with the WARNING as a recoverable error (23.4+), or plain done (earlier)', () => {
    const output = cell.command('status-json');
    const status = JSON.parse(output.stdout) as { status: string; extended_status?: string; errors: unknown[]; recoverable_errors?: Record<string, string[]> };
    assert.equal(status.status, 'done');
    assert.deepEqual(status.errors, []);
    if (hasRecoverableErrors(cell)) {
      assert.equal(output.exitCode, 2, show(output));
      assert.equal(status.extended_status, 'degraded done');
      assert.deepEqual(status.recoverable_errors, { WARNING: [WARNING] });
    } else {
      assert.equal(output.exitCode, 0, show(output));
      assert.equal(status.recoverable_errors, undefined, '22.4 has no recoverable errors');
    }
  });

  it('--long names the WARNING from 23.4 on', () => {
    const output = cell.command('status-long');
    if (hasRecoverableErrors(cell)) {
      assert.equal(output.exitCode, 2, show(output));
      assert.match(output.stdout, /^extended_status: degraded done$/m, show(output));
      assert.match(output.stdout, new RegExp(`^recoverable_errors:\\nWARNING:\\n\\s+- ${WARNING}$`, 'm'), show(output));
    } else {
      assert.equal(output.exitCode, 0, show(output));
      assert.doesNotMatch(output.stdout, /apt_pipelining/, show(output));
    }
  });
});
