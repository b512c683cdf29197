import assert from 'node:assert/strict';
import type { CommandOutput, HarvestedCell } from './api.js';

/** A command's output as a failure message shows it: its exit code, then what it printed. */
export function shown(output: CommandOutput): string {
  return `exit ${output.exitCode}\n${output.stdout}${output.stderr}`;
}

/**
 * `cloud-init status --format json` (collected as `status-json`) of a boot that finished
 * with a WARNING: done with exit 0 before 23.4; from 23.4 on, which made a WARNING a
 * recoverable error, exit 2, "degraded done" and `warning` among the recoverable WARNINGs.
 */
export function assertDoneDegradedBy(cell: HarvestedCell, warning: string): void {
  const output = cell.command('status-json');
  const status = JSON.parse(output.stdout) as { status: string; extended_status?: string; recoverable_errors?: { WARNING?: string[] } };
  assert.equal(status.status, 'done', shown(output));
  if (cell.cloudInitIs('<23.4')) {
    assert.equal(output.exitCode, 0, shown(output));
    return;
  }
  assert.equal(output.exitCode, 2, shown(output));
  assert.equal(status.extended_status, 'degraded done', shown(output));
  const warnings = status.recoverable_errors?.WARNING ?? [];
  assert.ok(warnings.includes(warning), `"${warning}" is not among the recoverable WARNINGs: ${JSON.stringify(warnings)}`);
}
