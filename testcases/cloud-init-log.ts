/**
 * What cloud-init's own tests call a clean log (verify_clean_log): no ERROR or CRITICAL
 * line, no WARNING the case did not expect, no Traceback, no "received SIG".
 */
export interface LogFinding {
  readonly kind: 'WARNING' | 'ERROR' | 'CRITICAL' | 'Traceback' | 'signal';
  readonly line: number;
  readonly text: string;
}

const LEVEL = /\[(WARNING|ERROR|CRITICAL)\]|\s-\s(WARNING|ERROR|CRITICAL)\s/;

export function findLogProblems(log: string): LogFinding[] {
  const findings: LogFinding[] = [];
  log.split('\n').forEach((text, index) => {
    const level = LEVEL.exec(text);
    const line = index + 1;
    if (level) findings.push({ kind: (level[1] ?? level[2]) as LogFinding['kind'], line, text });
    else if (text.startsWith('Traceback (most recent call last)') || /\bTraceback \(most recent call last\)/.test(text)) {
      findings.push({ kind: 'Traceback', line, text });
    } else if (/received SIG/.test(text)) findings.push({ kind: 'signal', line, text });
  });
  return findings;
}

/** The findings no pattern in `allowed` explains; a Traceback is allowed only by `tracebackExpected`. */
export function unexpectedLogProblems(log: string, allowed: readonly string[], tracebackExpected: boolean): LogFinding[] {
  const patterns = allowed.map((pattern) => new RegExp(pattern));
  return findLogProblems(log).filter((finding) => {
    if (finding.kind === 'Traceback') return !tracebackExpected;
    return !patterns.some((pattern) => pattern.test(finding.text));
  });
}

export function formatFindings(findings: readonly LogFinding[], limit = 8): string {
  const shown = findings.slice(0, limit).map((finding) => `  cloud-init.log:${finding.line}: ${finding.text.trim()}`);
  if (findings.length > limit) shown.push(`  ... and ${findings.length - limit} more`);
  return shown.join('\n');
}
