import assert from 'node:assert/strict';
import { cleanHarvest, judgeCell } from './judge-cell.js';

const LOG = '/var/log/cloud-init.log';
const line = (text: string): string => `2026-01-01 00:00:01,000 - ${text}\n`;

/** The built-in rules every case is judged by, each shown to fail a cell that breaks it. */
describe('the judge: built-in rules on one harvested cell', () => {
  it('passes a clean boot', async () => {
    const verdict = await judgeCell(cleanHarvest('clean'));
    assert.equal(verdict.verdict, 'passed', JSON.stringify(verdict.failures));
    assert.equal(verdict.errorCode, undefined);
    assert.deepEqual(verdict.failures, []);
  });

  it('fails a status other than the expected one, saying both', async () => {
    const verdict = await judgeCell(cleanHarvest('status', { status: { text: JSON.stringify({ status: 'error', errors: [] }), exitCode: 1 } }));
    assert.equal(verdict.verdict, 'failed');
    const failure = verdict.failures.find((entry) => entry.test === 'cloud-init finishes with status done');
    assert.match(failure?.message ?? '', /cloud-init status is "error", expected "done"/);
  });

  it('passes status error where the case expects it', async () => {
    const caseYaml = 'name: expects_error\ndescription: expects error\ncloud_config: {}\nexpect: {status: error}\n';
    const verdict = await judgeCell(cleanHarvest('expects_error', { caseYaml, status: { text: JSON.stringify({ status: 'error', errors: ['boom'] }), exitCode: 1 } }));
    assert.equal(verdict.verdict, 'passed', JSON.stringify(verdict.failures));
  });

  it('fails "done" with errors, quoting each error and each log problem on a line of its own', async () => {
    const status = JSON.stringify({ status: 'done', errors: ['module foo failed', 'module bar failed'] });
    const verdict = await judgeCell(cleanHarvest('done_errors', { status: { text: status }, files: { [LOG]: line('util.py[ERROR]: foo broke') } }));
    assert.equal(verdict.verdict, 'failed');
    const failure = verdict.failures.find((entry) => entry.test === 'cloud-init finishes with status done');
    const expected = 'cloud-init says done but reported errors:\ncloud-init reported:\n  module foo failed\n  module bar failed\n  cloud-init.log:1: 2026-01-01 00:00:01,000 - util.py[ERROR]: foo broke\n';
    assert.ok(failure?.message.startsWith(expected), failure?.message);
  });

  it('gives the same account with a status other than the expected one', async () => {
    const status = JSON.stringify({ status: 'error', errors: ['boom'] });
    const verdict = await judgeCell(cleanHarvest('wrong_status', { status: { text: status, exitCode: 1 }, files: { [LOG]: line('util.py[ERROR]: broke') } }));
    const failure = verdict.failures.find((entry) => entry.test === 'cloud-init finishes with status done');
    const expected = 'cloud-init status is "error", expected "done"\ncloud-init reported:\n  boom\n  cloud-init.log:1: 2026-01-01 00:00:01,000 - util.py[ERROR]: broke\n';
    assert.ok(failure?.message.startsWith(expected), failure?.message);
  });

  it('fails "done" with a recoverable error no log expectation explains, with its level', async () => {
    const status = JSON.stringify({ status: 'done', errors: [], recoverable_errors: { WARNING: ['something odd'] } });
    const verdict = await judgeCell(cleanHarvest('recoverable', { status: { text: status } }));
    assert.equal(verdict.verdict, 'failed');
    assert.match(verdict.failures[0]?.message ?? '', /WARNING: something odd/);
  });

  it('excuses a recoverable error whose message the case expects, directly or through its log line', async () => {
    const caseYaml = 'name: excused\ndescription: excused\ncloud_config: {}\nexpect: {log_warnings: ["odd thing", "from the log"]}\n';
    const status = JSON.stringify({ status: 'done', recoverable_errors: { WARNING: ['an odd thing', 'short'] } });
    const log = line('util.py[WARNING]: short, from the log');
    const verdict = await judgeCell(cleanHarvest('excused', { caseYaml, status: { text: status }, files: { [LOG]: log } }));
    assert.equal(verdict.verdict, 'passed', JSON.stringify(verdict.failures));
  });

  it('does not excuse a recoverable error through a log line that only the pattern matches', async () => {
    const caseYaml = 'name: not_excused\ndescription: not excused\ncloud_config: {}\nexpect: {log_warnings: ["from the log"]}\n';
    const status = JSON.stringify({ status: 'done', recoverable_errors: { WARNING: ['unrelated'] } });
    const verdict = await judgeCell(cleanHarvest('not_excused', { caseYaml, status: { text: status }, files: { [LOG]: line('util.py[WARNING]: from the log') } }));
    assert.equal(verdict.verdict, 'failed');
    assert.ok(verdict.failures.some((failure) => failure.message.includes('WARNING: unrelated')), JSON.stringify(verdict.failures));
  });

  it('fails on an unexpected WARNING although the status says done, quoting the line and its number', async () => {
    const log = line('util.py[DEBUG]: fine') + line('util.py[WARNING]: disk is odd');
    const verdict = await judgeCell(cleanHarvest('warning', { files: { [LOG]: log } }));
    assert.equal(verdict.verdict, 'failed');
    const failure = verdict.failures.find((entry) => entry.test === 'cloud-init.log has no unexpected WARNING, ERROR or Traceback');
    assert.match(failure?.message ?? '', /has 1 line\(s\) this case does not expect:\n {2}cloud-init.log:2: .*disk is odd/);
  });

  it('fails on an ERROR line and on a CRITICAL line', async () => {
    for (const level of ['ERROR', 'CRITICAL']) {
      const verdict = await judgeCell(cleanHarvest('levels', { files: { [LOG]: line(`util.py[${level}]: broke`) } }));
      assert.equal(verdict.verdict, 'failed', level);
    }
  });

  it('fails on a Traceback, naming its exception', async () => {
    const log = `${line('util.py[DEBUG]: running')}Traceback (most recent call last):\n  File "x.py", line 1, in f\nValueError: bad value\n`;
    const verdict = await judgeCell(cleanHarvest('traceback', { files: { [LOG]: log } }));
    assert.equal(verdict.verdict, 'failed');
    assert.match(verdict.failures.map((failure) => failure.message).join('\n'), /cloud-init.log:2: Traceback \(most recent call last\): → ValueError: bad value/);
  });

  it('fails when a required WARNING never appeared, each problem on a line of its own', async () => {
    const caseYaml = 'name: required\ndescription: required\ncloud_config: {}\nexpect: {log_warnings: [{pattern: "must warn", required: true}, {pattern: "also", required: true}]}\n';
    const verdict = await judgeCell(cleanHarvest('required', { caseYaml }));
    assert.equal(verdict.verdict, 'failed');
    assert.equal(verdict.failures[0]?.message, 'cloud-init.log: required WARNING never appeared: must warn\ncloud-init.log: required WARNING never appeared: also');
  });

  it('fails when `cloud-init schema --system` fails, with its exit code and output', async () => {
    const verdict = await judgeCell(cleanHarvest('schema', { schemaExitCode: 1 }));
    assert.equal(verdict.verdict, 'failed');
    assert.match(verdict.failures[0]?.message ?? '', /schema --system failed \(exit 1\):\nInvalid schema: bad key/);
  });

  it('does not run the schema check where the case expects invalid configuration', async () => {
    const caseYaml = 'name: invalid_on_purpose\ndescription: x\ncloud_config: {}\nexpect: {schema_valid: false}\n';
    const verdict = await judgeCell(cleanHarvest('invalid_on_purpose', { caseYaml, schemaExitCode: 1 }));
    assert.equal(verdict.verdict, 'passed', JSON.stringify(verdict.failures));
  });

  it('fails a case whose log was not harvested, rather than reading it as empty', async () => {
    const verdict = await judgeCell(cleanHarvest('no_log', { files: {} }));
    assert.equal(verdict.verdict, 'failed');
    assert.ok(verdict.failures.some((failure) => failure.message.includes('/var/log/cloud-init.log does not exist in the instance')), JSON.stringify(verdict.failures));
  });

  it('fails a case whose status did not print JSON, quoting what it printed', async () => {
    const verdict = await judgeCell(cleanHarvest('no_json', { status: { text: 'Traceback: oops', exitCode: 1 } }));
    assert.equal(verdict.verdict, 'failed');
    assert.match(verdict.failures[0]?.message ?? '', /cloud-init status did not print JSON \(exit 1\): Traceback: oops/);
  });
});

describe('the judge: verdicts beyond pass and fail', () => {
  it('makes a failed check of the case itself a failure with its message', async () => {
    const checks = "describeCase('the_case', () => { it('holds', () => { throw new Error('it did not hold'); }); });";
    const verdict = await judgeCell({ ...cleanHarvest('the_case'), checks });
    assert.equal(verdict.verdict, 'failed');
    assert.deepEqual(verdict.failures, [{ test: 'holds', message: 'it did not hold' }]);
  });

  it("makes a failing hook of the case's checks an error, not a product failure", async () => {
    const checks = "describeCase('the_case', () => { before(() => { throw new Error('setup broke'); }); it('holds', () => {}); });";
    const verdict = await judgeCell({ ...cleanHarvest('the_case'), checks });
    assert.equal(verdict.verdict, 'error');
    assert.equal(verdict.errorCode, 'CHECKS_HOOK');
    assert.ok(verdict.failures.some((failure) => failure.message.includes('setup broke')));
  });

  it('lets a failed check win over a failing hook', async () => {
    const checks = "describeCase('the_case', () => { it('holds', () => { throw new Error('no'); }); after(() => { throw new Error('teardown broke'); }); });";
    const verdict = await judgeCell({ ...cleanHarvest('the_case'), checks });
    assert.equal(verdict.verdict, 'failed');
    assert.equal(verdict.failures.length, 2);
  });

  it('makes a checks file that throws while loading an error of its case, saying why', async () => {
    const checks = "throw new Error('cannot load');";
    const verdict = await judgeCell({ ...cleanHarvest('the_case'), checks });
    assert.equal(verdict.verdict, 'error');
    assert.equal(verdict.errorCode, 'CHECKS_FILE');
    assert.match(verdict.failures[0]?.message ?? '', /the_case\.checks\.ts: .*cannot load/);
  });

  it('tells why an instance stopped, not that its checks file broke, when both happened', async () => {
    const verdict = await judgeCell({
      ...cleanHarvest('the_case'),
      checks: "throw new Error('cannot load');",
      record: { state: 'failed-to-boot', phase: 'launching', errorCode: 'PLATFORM_API', reason: 'the launch failed' },
    });
    assert.equal(verdict.errorCode, 'PLATFORM_API');
    assert.deepEqual(verdict.failures.map((failure) => failure.message), ['the launch failed']);
  });

  it('keeps a skipped cell skipped, with nothing to fail', async () => {
    const verdict = await judgeCell({ ...cleanHarvest('skipped'), record: { state: 'skipped', reason: 'not here' } });
    assert.deepEqual(verdict, { verdict: 'skipped', errorCode: undefined, failures: [] });
  });

  it('makes a boot timeout with a cloud-init.log a product failure, and says why', async () => {
    const verdict = await judgeCell({
      ...cleanHarvest('hung'),
      record: { state: 'failed-to-boot', phase: 'booting', errorCode: 'BOOT_TIMEOUT', reason: 'cloud-init did not finish in 300 s' },
    });
    assert.equal(verdict.verdict, 'failed');
    assert.equal(verdict.errorCode, undefined);
    assert.match(verdict.failures[0]?.message ?? '', /cloud-init did not finish in 300 s/);
  });

  it('makes a boot timeout without a log, a timeout in another phase and any other stop errors with their code', async () => {
    const stops = [
      { files: {}, record: { phase: 'booting', errorCode: 'BOOT_TIMEOUT' }, code: 'BOOT_TIMEOUT' },
      { files: undefined, record: { phase: 'harvesting', errorCode: 'BOOT_TIMEOUT' }, code: 'BOOT_TIMEOUT' },
      { files: undefined, record: { phase: 'booting', errorCode: 'PLATFORM_API' }, code: 'PLATFORM_API' },
      { files: undefined, record: { phase: 'launching', errorCode: undefined }, code: 'INTERNAL' },
    ] as const;
    for (const stop of stops) {
      const harvest = cleanHarvest('stopped', stop.files === undefined ? {} : { files: stop.files });
      const verdict = await judgeCell({ ...harvest, record: { state: 'failed-to-boot', reason: undefined, ...stop.record } });
      assert.equal(verdict.verdict, 'error', JSON.stringify(stop));
      assert.equal(verdict.errorCode, stop.code);
      assert.match(verdict.failures[0]?.message ?? '', /the instance did not get as far as a harvest/);
    }
  });

  it('reports a marked failure as xfailed and a marked pass as xpassed', async () => {
    const marked = (name: string) => `name: ${name}\ndescription: x\ncloud_config: {}\nxfail: "known bug #1"\n`;
    const failing = await judgeCell(cleanHarvest('marked', { caseYaml: marked('marked'), schemaExitCode: 1 }));
    assert.equal(failing.verdict, 'xfailed');
    assert.equal(failing.errorCode, undefined);
    assert.equal(failing.failures.length, 1);
    const passing = await judgeCell(cleanHarvest('marked', { caseYaml: marked('marked') }));
    assert.equal(passing.verdict, 'xpassed');
  });

  it('never turns an error into xfailed', async () => {
    const caseYaml = 'name: marked_error\ndescription: x\ncloud_config: {}\nxfail: "known bug"\n';
    const verdict = await judgeCell({ ...cleanHarvest('marked_error', { caseYaml }), record: { state: 'failed-to-boot', phase: 'launching', errorCode: 'PLATFORM_API', xfail: 'known bug' } });
    assert.equal(verdict.verdict, 'error');
  });

  it('keeps the status test green where only a done status is given', async () => {
    const verdict = await judgeCell(cleanHarvest('bare_done', { status: { text: JSON.stringify({ status: 'done' }) } }));
    assert.equal(verdict.verdict, 'passed', JSON.stringify(verdict.failures));
  });
});
