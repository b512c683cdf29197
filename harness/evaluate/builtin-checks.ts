import assert from 'node:assert/strict';
import type { HarvestedCell } from '../../testcases/api.js';
import { findLogProblems, formatFindings, judgeLog } from '../../testcases/cloud-init-log.js';
import { BEFORE_REBOOT_COMMAND } from '../../results-schema/layout.js';
import { BOOT_START_LINE } from '../readiness/cloud-init-wait.js';

/**
 * What every case asserts before its own checks, after cloud-init's verify_clean_boot:
 * the status cloud-init reports, a clean cloud-init.log (a WARNING the case did not
 * expect fails it even when the status says done, and so does a required WARNING or
 * Traceback that never came: require_warnings) and a schema-valid configuration.
 */
export function registerBuiltinChecks(cell: HarvestedCell): void {
  const expected = cell.expect;
  const { boots } = cell.testCase;

  if (boots.rebootBy === 'harness') {
    for (let n = 1; n < boots.count; n++) {
      it(`boot ${n}: cloud-init finishes with status ${expected.status}`, () => assertStatus(cell.boot(n)));
      if (boots.beforeReboot !== undefined) {
        it(`boot ${n}: before_reboot exits 0`, () => {
          const step = cell.boot(n).command(BEFORE_REBOOT_COMMAND);
          assert.equal(step.exitCode, 0, `before_reboot failed (exit ${step.exitCode}):\n${(step.stdout + step.stderr).trim()}`);
        });
      }
    }
  }

  it(`cloud-init finishes with status ${expected.status}`, () => assertStatus(cell));

  it(`cloud-init.log has no unexpected WARNING, ERROR or Traceback${boots.count > 1 ? ` in any of its ${boots.count} boots` : ''}`, () => {
    const { unexpected, missing } = judgeLog(boots.count > 1 ? cell.logOfAllBoots() : cell.log(), expected);
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

  if (boots.count > 1) {
    if (boots.rebootBy === 'harness') {
      it(`boots ${boots.count} times, each a new boot`, () => {
        const ids = Array.from({ length: boots.count }, (_, index) => cell.boot(index + 1).bootId);
        assert.ok(ids.every((id) => id !== undefined), `the boot id of a boot could not be read: ${JSON.stringify(ids)}`);
        assert.equal(new Set(ids).size, boots.count, `boot ids repeat, so the instance did not reboot each time: ${ids.join(', ')}`);
      });
    } else {
      it(`reboots itself into ${boots.count} boots`, () => {
        const starts = cell.logOfAllBoots().split('\n').filter((line) => line.includes(BOOT_START_LINE)).length;
        assert.equal(starts, boots.count, `cloud-init.log shows ${starts} boot(s) ("${BOOT_START_LINE}"), the case expects ${boots.count}`);
      });
    }
  }
}

/**
 * The status cloud-init reports for a boot is the expected one, and a "done" comes with no
 * errors; from 23.4 on, every WARNING and DEPRECATED line is also a "recoverable error" in
 * the status, and one whose log line this case expects is expected here too.
 */
function assertStatus(cell: HarvestedCell): void {
  const expected = cell.expect;
  const status = cell.status();
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
}

function safeLog(cell: HarvestedCell): string {
  return cell.hasFile('/var/log/cloud-init.log') ? cell.log() : '';
}
