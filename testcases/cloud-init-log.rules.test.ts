import assert from 'node:assert/strict';
import type { LogExpectation } from './case.js';
import { findLogProblems, formatFindings, judgeLog, unexpectedLogProblems, type LogFinding } from './cloud-init-log.js';

const at = (text: string): string => `2026-11-28 14:00:01,000 - ${text}`;
const allowed = (pattern: string): LogExpectation => ({ pattern, required: false, count: undefined });
const nothing = { logWarnings: [], tracebacks: [] };
const kinds = (log: string): string[] => findLogProblems(log).map((finding) => `${finding.line}:${finding.kind}`);

/** One rule of a clean cloud-init.log per test (verify_clean_log), each able to fail. */
describe('cloud-init.log rules', () => {
  it('finds each level in the bracket form cloud-init writes, and on the line it is on', () => {
    const log = [at('a.py[DEBUG]: fine'), at('a.py[WARNING]: w'), at('a.py[ERROR]: e'), at('a.py[CRITICAL]: c')].join('\n');
    assert.deepEqual(kinds(log), ['2:WARNING', '3:ERROR', '4:CRITICAL']);
    assert.equal(findLogProblems(log)[0]?.text, at('a.py[WARNING]: w'));
  });

  it('finds each level in the " - LEVEL " form of other loggers', () => {
    const log = ['x - WARNING - w', 'x - ERROR - e', 'x - CRITICAL - c', 'x - INFO - i'].join('\n');
    assert.deepEqual(kinds(log), ['1:WARNING', '2:ERROR', '3:CRITICAL']);
  });

  it('takes a level only as a whole token: no WARNINGS, no lower case, no word inside another', () => {
    const log = ['a.py[DEBUG]: no WARNINGS here', 'x -WARNING- y', 'util.py[warning]: quiet', 'x - ERRORS - y', 'x -ERROR - y', 'x - ERROR- y'].join('\n');
    assert.deepEqual(kinds(log), []);
  });

  it('finds a Traceback on its own line, not a mention of the word', () => {
    const log = ['Traceback (most recent call last):', 'noTraceback (most recent call last):', 'Traceback (most recent call first):', 'a Traceback was logged'].join('\n');
    assert.deepEqual(kinds(log), ['1:Traceback']);
  });

  it('finds a received signal, which no expectation can allow', () => {
    const log = at('util.py[DEBUG]: Cloud-init 22.4 received SIGTERM, exiting...');
    assert.deepEqual(kinds(log), ['1:signal']);
    const judged = judgeLog(log, { logWarnings: [allowed('.*')], tracebacks: [allowed('.*')] });
    assert.equal(judged.unexpected.length, 1);
  });

  it('reads a level on a line before reading a Traceback mention on it', () => {
    assert.deepEqual(kinds(at('a.py[WARNING]: Traceback (most recent call last)')), ['1:WARNING']);
  });

  it("ends a Traceback's exception at the next log record, not after it", () => {
    const log = ['Traceback (most recent call last):', '  File "x", line 1', 'OSError: gone', at('a.py[DEBUG]: later')].join('\n');
    assert.equal(findLogProblems(log)[0]?.exception, 'OSError: gone');
  });

  it("ends a Traceback's exception at a blank line and at the next Traceback", () => {
    const blank = ['Traceback (most recent call last):', '  File "x"', 'OSError: gone', '', 'trailing text'].join('\n');
    assert.equal(findLogProblems(blank)[0]?.exception, 'OSError: gone');
    const next = ['Traceback (most recent call last):', '  File "x"', 'OSError: one', 'Traceback (most recent call last):', '  File "y"', 'KeyError: two'].join('\n');
    assert.deepEqual(findLogProblems(next).map((finding) => finding.exception), ['OSError: one', 'KeyError: two']);
  });

  it('ends an exception at "The above exception was the direct cause"', () => {
    const log = ['Traceback (most recent call last):', '  File "x"', 'OSError: one', 'The above exception was the direct cause of the following exception:'].join('\n');
    assert.equal(findLogProblems(log)[0]?.exception, 'OSError: one');
  });

  it('takes a record start with a T between date and time as a new record', () => {
    const log = ['Traceback (most recent call last):', '  File "x"', 'OSError: gone', '2026-11-28T14:00:02 later'].join('\n');
    assert.equal(findLogProblems(log)[0]?.exception, 'OSError: gone');
  });

  it('keeps a message line that only looks like a date later in the line', () => {
    const log = ['Traceback (most recent call last):', '  File "x"', 'OSError: gone', 'at 2026-11-28 14:00:02 again'].join('\n');
    assert.equal(findLogProblems(log)[0]?.exception, 'OSError: gone\nat 2026-11-28 14:00:02 again');
  });

  it('counts every line a pattern matches against its `count`, and says how many it found', () => {
    const log = [at('a.py[WARNING]: disk 1'), at('a.py[WARNING]: disk 2')].join('\n');
    const expectation = { logWarnings: [{ pattern: 'disk', required: true, count: 1 }], tracebacks: [] };
    assert.deepEqual(judgeLog(log, expectation).missing, ['expected 1 WARNING line(s) matching disk, found 2']);
    assert.deepEqual(judgeLog(log, { ...expectation, logWarnings: [{ pattern: 'disk', required: true, count: 2 }] }).missing, []);
  });

  it('names a missing counted Traceback as a Traceback', () => {
    const judged = judgeLog('', { logWarnings: [], tracebacks: [{ pattern: 'OSError', required: true, count: 1 }] });
    assert.deepEqual(judged.missing, ['expected 1 Traceback line(s) matching OSError, found 0']);
  });

  it('lets one line satisfy every pattern it matches', () => {
    const judged = judgeLog(at('a.py[WARNING]: disk full'), { logWarnings: [{ pattern: 'disk', required: true, count: undefined }, { pattern: 'full', required: true, count: undefined }], tracebacks: [] });
    assert.deepEqual(judged, { unexpected: [], missing: [] });
  });

  it('does not let a WARNING pattern allow a Traceback, nor a Traceback pattern a WARNING', () => {
    const log = [at('a.py[WARNING]: OSError: gone'), 'Traceback (most recent call last):', '  File "x"', 'OSError: gone'].join('\n');
    assert.deepEqual(judgeLog(log, { logWarnings: [allowed('OSError')], tracebacks: [] }).unexpected.map((finding) => finding.kind), ['Traceback']);
    assert.deepEqual(judgeLog(log, { logWarnings: [], tracebacks: [allowed('OSError')] }).unexpected.map((finding) => finding.kind), ['WARNING']);
  });

  it('does not allow a Traceback cut off inside its stack: it has no exception to match', () => {
    const log = ['Traceback (most recent call last):', '  File "x"'].join('\n');
    assert.equal(judgeLog(log, { logWarnings: [], tracebacks: [allowed('^.+$')] }).unexpected.length, 1);
  });

  it('gives the same unexpected findings through unexpectedLogProblems', () => {
    const log = [at('a.py[WARNING]: w'), at('a.py[ERROR]: e')].join('\n');
    assert.deepEqual(unexpectedLogProblems(log, { logWarnings: [allowed('w$')], tracebacks: [] }).map((finding) => finding.kind), ['ERROR']);
    assert.deepEqual(unexpectedLogProblems(log, nothing).length, 2);
  });

  it('formats a finding with its line, its trimmed text and the first line of its exception', () => {
    const finding: LogFinding = { kind: 'Traceback', line: 7, text: '  Traceback (most recent call last):  ', exception: 'OSError: one\nmore' };
    assert.equal(formatFindings([finding]), '  cloud-init.log:7: Traceback (most recent call last): → OSError: one');
    assert.equal(formatFindings([{ kind: 'ERROR', line: 1, text: 'boom' }]), '  cloud-init.log:1: boom');
    assert.equal(formatFindings([{ kind: 'Traceback', line: 1, text: 'Traceback', exception: '' }]), '  cloud-init.log:1: Traceback');
  });

  it('shows at most eight findings, then how many more', () => {
    const findings: LogFinding[] = Array.from({ length: 10 }, (_, index) => ({ kind: 'ERROR', line: index + 1, text: `e${index + 1}` }));
    const shown = formatFindings(findings).split('\n');
    assert.equal(shown.length, 9);
    assert.equal(shown[7], '  cloud-init.log:8: e8');
    assert.equal(shown[8], '  ... and 2 more');
    assert.equal(formatFindings(findings.slice(0, 8)).split('\n').length, 8);
    assert.equal(formatFindings(findings, 2).split('\n')[2], '  ... and 8 more');
  });
});
