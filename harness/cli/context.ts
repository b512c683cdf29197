import type { HarnessConfig } from '../config.js';

/** What every command gets from the CLI entry: config, the interrupt signal, output. */
export interface CliContext {
  readonly config: HarnessConfig;
  readonly signal: AbortSignal;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly argv: readonly string[];
  /** Set by a command; main returns it. */
  exitCode: number;
}
