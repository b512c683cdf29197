/**
 * One root error class for everything the harness expects to go wrong. Each error has a
 * stable `code` (for programs) and a `hint` (for people: what to do about it); the CLI
 * prints `message` and `hint` on one line and exits with `exitCode`.
 */
export type KnownErrorCode =
  | 'USAGE'
  | 'INVALID_CASE'
  | 'INVALID_USER_DATA'
  | 'UNKNOWN_PLATFORM'
  | 'PLATFORM_UNAVAILABLE'
  | 'PLATFORM_PERMISSION'
  | 'PLATFORM_API'
  | 'IMAGE_NOT_FOUND'
  | 'IMAGE_BUILD'
  | 'EXEC_TIMEOUT'
  | 'BOOT_TIMEOUT'
  | 'ABORTED'
  | 'SETUP'
  | 'LIMIT_EXCEEDED'
  | 'NOT_SUPPORTED'
  | 'HISTORY_STORE'
  // Why a cell's verdict is `error` (results-schema/verdict.ts) when no error of the platform's says it:
  | 'CHECKS_FILE'
  | 'CHECKS_HOOK'
  | 'NO_CHECKS_RAN'
  | 'EVALUATION'
  | 'INTERNAL';

/**
 * A driver from another package may give its errors codes of its own, `<driver>:<NAME>`,
 * with the exit code it chooses (the environment's, 3, unless it says).
 */
export type ErrorCode = KnownErrorCode | `${string}:${string}`;

export const EXIT_FAILED_CASES = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_ENVIRONMENT = 3;
/**
 * Some cell could not be judged (verdict `error`: launch, boot, harvest or checks file
 * trouble) and none failed. A failure wins over an error: the product's verdict is the
 * news, and a CI job must not retry a real regression as if it were flaky infrastructure.
 */
export const EXIT_CELL_ERRORS = 4;
export const EXIT_INTERRUPTED = 130;

const exitCodeOf: Record<KnownErrorCode, number> = {
  USAGE: EXIT_BAD_INPUT,
  INVALID_CASE: EXIT_BAD_INPUT,
  INVALID_USER_DATA: EXIT_BAD_INPUT,
  UNKNOWN_PLATFORM: EXIT_BAD_INPUT,
  IMAGE_NOT_FOUND: EXIT_BAD_INPUT,
  LIMIT_EXCEEDED: EXIT_BAD_INPUT,
  NOT_SUPPORTED: EXIT_BAD_INPUT,
  PLATFORM_UNAVAILABLE: EXIT_ENVIRONMENT,
  PLATFORM_PERMISSION: EXIT_ENVIRONMENT,
  PLATFORM_API: EXIT_ENVIRONMENT,
  IMAGE_BUILD: EXIT_ENVIRONMENT,
  SETUP: EXIT_ENVIRONMENT,
  HISTORY_STORE: EXIT_ENVIRONMENT,
  EXEC_TIMEOUT: EXIT_ENVIRONMENT,
  BOOT_TIMEOUT: EXIT_ENVIRONMENT,
  ABORTED: EXIT_INTERRUPTED,
  CHECKS_FILE: EXIT_BAD_INPUT,
  CHECKS_HOOK: EXIT_CELL_ERRORS,
  NO_CHECKS_RAN: EXIT_CELL_ERRORS,
  EVALUATION: EXIT_CELL_ERRORS,
  INTERNAL: EXIT_CELL_ERRORS,
};

export class HarnessError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? (Object.hasOwn(exitCodeOf, code) ? exitCodeOf[code as KnownErrorCode] : EXIT_ENVIRONMENT);
  }

  /** The one line a person reads: what went wrong, then what to do. */
  oneLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

export class UsageError extends HarnessError {
  constructor(message: string, hint?: string) {
    super('USAGE', message, hint === undefined ? {} : { hint });
  }
}

export class AbortedError extends HarnessError {
  constructor(what: string) {
    super('ABORTED', `${what} was interrupted`);
  }
}

/** What every driver throws when exec outlives ExecSpec.timeoutMs. */
export class ExecTimeoutError extends HarnessError {
  constructor(what: string, timeoutMs: number) {
    super('EXEC_TIMEOUT', `${what} did not finish within ${timeoutMs} ms`);
  }
}

/** One line for a person, whatever was thrown: a HarnessError's message and hint, else the error's name and message. */
export function describeError(error: unknown): string {
  if (error instanceof HarnessError) return error.oneLine();
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function isHarnessError(error: unknown): error is HarnessError {
  return error instanceof HarnessError;
}
