import { UsageError } from '../../core/errors.js';
import { shellQuote } from '../../core/host/shell-quote.js';
import type { ExecSpec } from '../types.js';


const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The line sshd hands the login shell (`$SHELL -c LINE`): cwd and env are applied in it,
 * since sshd takes only the variables its AcceptEnv lists. `exec` leaves the command in
 * the session's process, the leader of the process group sshd made for the session, so
 * that killing that group (exec.ts) ends it and everything it started.
 */
export function commandLine(spec: ExecSpec): string {
  if (spec.command.length === 0) throw new UsageError('exec was given an empty command');
  const steps: string[] = [];
  if (spec.cwd !== undefined) steps.push(`cd -- ${shellQuote(spec.cwd)}`);
  const assignments = Object.entries(spec.env ?? {}).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new UsageError(`exec was given an environment variable name that a shell cannot set: ${JSON.stringify(name)}`);
    return `${name}=${shellQuote(value)}`;
  });
  if (assignments.length > 0) steps.push(`export ${assignments.join(' ')}`);
  steps.push(`exec ${spec.command.map(shellQuote).join(' ')}`);
  return steps.join(' && ');
}
