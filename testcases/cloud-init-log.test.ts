import assert from 'node:assert/strict';
import { findLogProblems, judgeLog } from './cloud-init-log.js';
import type { LogExpectation } from './case.js';

const at = (text: string): string => `2026-11-28 14:00:01,000 - ${text}`;
const allowed = (pattern: string): LogExpectation => ({ pattern, required: false, count: undefined });
const required = (pattern: string): LogExpectation => ({ pattern, required: true, count: undefined });
const counted = (pattern: string, count: number): LogExpectation => ({ pattern, required: true, count });

/** What util.logexc writes for a failed swapon in a container (cloud-init 22.4). */
const SWAPON_LOG = [
  at('cc_mounts.py[WARNING]: Activate mounts: FAIL:swapon -a'),
  at('util.py[DEBUG]: Activate mounts: FAIL:swapon -a'),
  'Traceback (most recent call last):',
  '  File "/usr/lib/python3/dist-packages/cloudinit/config/cc_mounts.py", line 617, in handle',
  '    subp.subp(cmd)',
  '  File "/usr/lib/python3/dist-packages/cloudinit/subp.py", line 335, in subp',
  '    raise ProcessExecutionError(',
  'cloudinit.subp.ProcessExecutionError: Unexpected error while running command.',
  "Command: ['swapon', '-a']",
  'Exit code: 255',
  'Reason: -',
  'Stdout: ',
  'Stderr: swapon: /swap.img: swapon failed: Operation not permitted',
  at('cc_mounts.py[DEBUG]: done'),
].join('\n');

const CHAINED_LOG = [
  at('util.py[WARNING]: Running module keyboard failed'),
  'Traceback (most recent call last):',
  '  File "x.py", line 1, in f',
  'KeyError: \'layout\'',
  '',
  'During handling of the above exception, another exception occurred:',
  '',
  'Traceback (most recent call last):',
  '  File "x.py", line 3, in g',
  'ValueError: no layout',
  at('modules.py[DEBUG]: next'),
].join('\n');

describe('cloud-init.log findings', () => {
  it("give a Traceback the exception it ends in, with a multi-line message's lines", () => {
    const [traceback] = findLogProblems(SWAPON_LOG).filter((finding) => finding.kind === 'Traceback');
    assert.equal(traceback?.line, 3);
    assert.equal(
      traceback?.exception,
      "cloudinit.subp.ProcessExecutionError: Unexpected error while running command.\nCommand: ['swapon', '-a']\nExit code: 255\nReason: -\nStdout: \nStderr: swapon: /swap.img: swapon failed: Operation not permitted",
    );
  });

  it('give each Traceback of a chain its own exception', () => {
    const exceptions = findLogProblems(CHAINED_LOG).filter((finding) => finding.kind === 'Traceback').map((finding) => finding.exception);
    assert.deepEqual(exceptions, ["KeyError: 'layout'", 'ValueError: no layout']);
  });

  it('give a Traceback cut off inside its stack an empty exception', () => {
    const [traceback] = findLogProblems('Traceback (most recent call last):\n  File "x.py", line 1, in f\n');
    assert.equal(traceback?.exception, '');
  });
});

describe('judging cloud-init.log against expectations', () => {
  const none = { logWarnings: [], tracebacks: [] };

  it('lets a plain log_warnings pattern allow a WARNING without requiring it', () => {
    const log = at('cc_example.py[WARNING]: expected trouble');
    assert.deepEqual(judgeLog(log, { ...none, logWarnings: [allowed('expected trouble')] }), { unexpected: [], missing: [] });
    assert.deepEqual(judgeLog('', { ...none, logWarnings: [allowed('expected trouble')] }), { unexpected: [], missing: [] });
  });

  it('fails a required WARNING that never appeared, naming it', () => {
    const { unexpected, missing } = judgeLog(at('util.py[DEBUG]: all quiet'), { ...none, logWarnings: [required('cc_mounts.py\\[WARNING\\]: Activate mounts')] });
    assert.deepEqual(unexpected, []);
    assert.deepEqual(missing, ['required WARNING never appeared: cc_mounts.py\\[WARNING\\]: Activate mounts']);
    assert.deepEqual(judgeLog(SWAPON_LOG, { logWarnings: [required('Activate mounts')], tracebacks: [allowed('ProcessExecutionError')] }).missing, []);
  });

  it('counts a `count` entry exactly', () => {
    const twice = [at('a.py[WARNING]: again'), at('a.py[WARNING]: again')].join('\n');
    assert.deepEqual(judgeLog(twice, { ...none, logWarnings: [counted('again', 2)] }).missing, []);
    assert.deepEqual(judgeLog(twice, { ...none, logWarnings: [counted('again', 1)] }).missing, ['expected 1 WARNING line(s) matching again, found 2']);
  });

  it('allows a Traceback only by a pattern of its exception', () => {
    const swapon = { logWarnings: [allowed('Activate mounts')], tracebacks: [allowed("ProcessExecutionError: Unexpected error while running command\\.\\nCommand: \\['swapon', '-a'\\]")] };
    assert.deepEqual(judgeLog(SWAPON_LOG, swapon).unexpected, []);
    const other = { ...swapon, tracebacks: [allowed('ValueError: ')] };
    assert.deepEqual(judgeLog(SWAPON_LOG, other).unexpected.map((finding) => finding.kind), ['Traceback']);
    // A WARNING pattern that happens to match the Traceback's line does not excuse it.
    assert.deepEqual(judgeLog(SWAPON_LOG, { logWarnings: [allowed('.')], tracebacks: [] }).unexpected.map((finding) => finding.kind), ['Traceback']);
  });

  it('judges each Traceback of a chain by its own exception', () => {
    const onlyKeyError = { logWarnings: [allowed('keyboard failed')], tracebacks: [allowed('^KeyError: ')] };
    assert.deepEqual(judgeLog(CHAINED_LOG, onlyKeyError).unexpected.map((finding) => finding.exception), ['ValueError: no layout']);
  });

  it('fails a required Traceback that never came, and never allows a signal', () => {
    assert.deepEqual(judgeLog('', { ...none, tracebacks: [required('RuntimeError: Runparts')] }).missing, ['required Traceback never appeared: RuntimeError: Runparts']);
    const signal = at('util.py[DEBUG]: Cloud-init 22.4 received SIGTERM, exiting...');
    assert.equal(judgeLog(signal, { logWarnings: [allowed('SIGTERM')], tracebacks: [allowed('.')] }).unexpected.length, 1);
  });
});
