/** What a case expects of cloud-init's own account of the boot; recorded per cell in cell.json. */

/** The status `cloud-init status` should end in for a case to pass. */
export type ExpectedStatus = 'done' | 'error';

/**
 * A log line a case expects: a regular expression, tested unanchored. Optional unless
 * `required` (it must match at least once) or `count` (it must match exactly that often).
 */
export interface LogExpectation {
  readonly pattern: string;
  readonly required: boolean;
  readonly count: number | undefined;
}

export interface CaseExpectations {
  readonly status: ExpectedStatus;
  /** The WARNING/ERROR/CRITICAL lines of cloud-init.log this case expects, each tested against the whole line. */
  readonly logWarnings: readonly LogExpectation[];
  /** The Tracebacks this case expects, each tested against the exception the Traceback ends in (`ValueError: ...`). */
  readonly tracebacks: readonly LogExpectation[];
  /** Whether `cloud-init schema --system` must pass. */
  readonly schemaValid: boolean;
}

/** One expectations-file overlay that matched a cell, and what it changed there; run.json and report.html show them. */
export interface AppliedOverlay {
  /** The expectations file, as given. */
  readonly file: string;
  /** Where in the file, e.g. `images["debian/*"]` or `cases.foo.platforms.lxd`. */
  readonly key: string;
  /** e.g. `facts.default_user`, `expect.status`, `expect.log_warnings +1`, `skip`, `xfail not applied: ...`; empty when it changed nothing. */
  readonly changed: readonly string[];
}
