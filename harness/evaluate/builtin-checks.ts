import assert from 'node:assert/strict';
import type { HarvestedCell } from '../../testcases/api.js';
import { findLogProblems, formatFindings, judgeLog } from '../../testcases/cloud-init-log.js';

/**
 * What every case asserts before its own checks, after cloud-init's verify_clean_boot:
 * the status cloud-init reports, a clean cloud-init.log (a WARNING the case did not
 * expect fails it even when the status says done, and so does a required WARNING or
 * Traceback that never came: require_warnings) and a schema-valid configuration.
 */
export function registerBuiltinChecks(cell: HarvestedCell): void {
  const expected = cell.expect;

  it(`cloud-init finishes with status ${expected.status}`, () => {
    const status = cell.status();
    // From 23.4 on, every WARNING and DEPRECATED line is also a "recoverable error" in the
    // status; one whose log line this case expects is expected here too.
    const patterns = expected.logWarnings.map((expectation) => new RegExp(expectation.pattern));
    const logLines = safeLog(cell).split('\n');
    const isExpected = (message: string): boolean =>
      patterns.some((pattern) => pattern.test(message) || logLines.some((line) => line.includes(message) && pattern.test(line)));
    const recoverable = Object.entries(status.recoverable_errors ?? {}).flatMap(([level, messages]) =>
      messages.filter((message) => !isExpected(message)).map((message) => `${level}: ${message}`),
    );
    const errors = [...(status.errors ?? []), ...recoverable];
    const context = [
      errors.length > 0 ? `cloud-init reported:\n${errors.map((error) => `  ${error}`).join('\n')}` : '',
      formatFindings(findLogProblems(safeLog(cell))),
    ].filter(Boolean);
    assert.equal(status.status, expected.status, `cloud-init status is "${status.status}", expected "${expected.status}"\n${context.join('\n')}`);
    if (expected.status === 'done') {
      assert.deepEqual(errors, [], `cloud-init says done but reported errors:\n${context.join('\n')}`);
    }
  });

  it('cloud-init.log has no unexpected WARNING, ERROR or Traceback', () => {
    const { unexpected, missing } = judgeLog(cell.log(), expected);
    const problems = [
      unexpected.length > 0 ? `cloud-init.log has ${unexpected.length} line(s) this case does not expect:\n${formatFindings(unexpected)}` : '',
      ...missing.map((line) => `cloud-init.log: ${line}`),
    ].filter(Boolean);
    assert.ok(problems.length === 0, problems.join('\n'));
  });

  if (expected.schemaValid) {
    it('user-data and vendor-data pass `cloud-init schema --system`', () => {
      const schema = cell.command('schema-system');
      assert.equal(schema.exitCode, 0, `cloud-init schema --system failed (exit ${schema.exitCode}):\n${(schema.stdout + schema.stderr).trim()}`);
    });
  }
}

function safeLog(cell: HarvestedCell): string {
  return cell.hasFile('/var/log/cloud-init.log') ? cell.log() : '';
}
