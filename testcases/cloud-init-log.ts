import type { LogExpectation } from '../results-schema/case-expectations.js';

/**
 * What cloud-init's own tests call a clean log (verify_clean_log): no ERROR or CRITICAL
 * line, no WARNING the case did not expect, no Traceback, no "received SIG".
 */
export interface LogFinding {
  readonly kind: 'WARNING' | 'ERROR' | 'CRITICAL' | 'Traceback' | 'signal';
  readonly line: number;
  readonly text: string;
  /**
   * For a Traceback, the exception it ends in (`ValueError: bad`), with the lines of a
   * multi-line message (ProcessExecutionError's `Command:`, `Stderr:`, ...) joined by
   * newlines; empty when the log ends inside the stack.
   */
  readonly exception?: string;
}

const LEVEL = /\[(WARNING|ERROR|CRITICAL)\]|\s-\s(WARNING|ERROR|CRITICAL)\s/;
const TRACEBACK = /\bTraceback \(most recent call last\)/;
/** A line that starts a log record (`2026-11-28 14:00:01,000 - ...`), which ends any Traceback block before it. */
const RECORD = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d/;
/** Python's separators between chained exceptions, each followed by a Traceback of its own. */
const CHAIN = /^(During handling of the above exception|The above exception was the direct cause)/;

export function findLogProblems(log: string): LogFinding[] {
  const lines = log.split('\n');
  const findings: LogFinding[] = [];
  lines.forEach((text, index) => {
    const level = LEVEL.exec(text);
    const line = index + 1;
    if (level) findings.push({ kind: (level[1] ?? level[2]) as LogFinding['kind'], line, text });
    else if (TRACEBACK.test(text)) findings.push({ kind: 'Traceback', line, text, exception: exceptionOf(lines, index + 1) });
    else if (/received SIG/.test(text)) findings.push({ kind: 'signal', line, text });
  });
  return findings;
}

/**
 * The exception of the Traceback whose stack starts at `start`: Python prints the frames
 * indented, then the exception unindented; its message runs on until the next log
 * record, a blank line or the next chained Traceback.
 */
function exceptionOf(lines: readonly string[], start: number): string {
  let index = start;
  while (index < lines.length && /^\s/.test(lines[index] as string)) index += 1;
  const message: string[] = [];
  for (; index < lines.length; index += 1) {
    const text = lines[index] as string;
    if (text.trim() === '' || RECORD.test(text) || TRACEBACK.test(text) || CHAIN.test(text)) break;
    message.push(text);
  }
  return message.join('\n');
}

/** How a log measures against what a case expects of it. */
export interface LogJudgement {
  /** Findings no expectation explains. */
  readonly unexpected: readonly LogFinding[];
  /** One line per `required` or `count` expectation the log does not meet. */
  readonly missing: readonly string[];
}

/**
 * WARNING, ERROR and CRITICAL lines are allowed by `logWarnings` (tested against the
 * whole line), Tracebacks only by `tracebacks` (tested against the exception, so that
 * expecting one failure does not excuse another's stack); a signal is never allowed.
 */
export function judgeLog(log: string, expect: { readonly logWarnings: readonly LogExpectation[]; readonly tracebacks: readonly LogExpectation[] }): LogJudgement {
  const findings = findLogProblems(log);
  const warnings = expect.logWarnings.map((expectation) => ({ expectation, regex: new RegExp(expectation.pattern), seen: 0 }));
  const tracebacks = expect.tracebacks.map((expectation) => ({ expectation, regex: new RegExp(expectation.pattern), seen: 0 }));
  const unexpected = findings.filter((finding) => {
    if (finding.kind === 'signal') return true;
    const [candidates, subject] = finding.kind === 'Traceback' ? [tracebacks, finding.exception ?? ''] : [warnings, finding.text];
    const matching = candidates.filter((candidate) => candidate.regex.test(subject));
    for (const candidate of matching) candidate.seen += 1;
    return matching.length === 0;
  });
  const missing = [
    ...warnings.map((candidate) => unmet(candidate, 'WARNING')),
    ...tracebacks.map((candidate) => unmet(candidate, 'Traceback')),
  ].filter((problem): problem is string => problem !== undefined);
  return { unexpected, missing };
}

function unmet({ expectation, seen }: { readonly expectation: LogExpectation; readonly seen: number }, what: string): string | undefined {
  if (expectation.count !== undefined) {
    return seen === expectation.count ? undefined : `expected ${expectation.count} ${what} line(s) matching ${expectation.pattern}, found ${seen}`;
  }
  return expectation.required && seen === 0 ? `required ${what} never appeared: ${expectation.pattern}` : undefined;
}

/** The findings no expectation explains (see judgeLog). */
export function unexpectedLogProblems(log: string, expect: Parameters<typeof judgeLog>[1]): readonly LogFinding[] {
  return judgeLog(log, expect).unexpected;
}

export function formatFindings(findings: readonly LogFinding[], limit = 8): string {
  const shown = findings.slice(0, limit).map((finding) => {
    const exception = finding.exception ? ` → ${finding.exception.split('\n')[0]}` : '';
    return `  cloud-init.log:${finding.line}: ${finding.text.trim()}${exception}`;
  });
  if (findings.length > limit) shown.push(`  ... and ${findings.length - limit} more`);
  return shown.join('\n');
}
