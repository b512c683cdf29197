import { Command, CommanderError } from '@commander-js/extra-typings';
import { EXIT_BAD_INPUT, EXIT_INTERRUPTED, isHarnessError } from '../../core/errors.js';
import { harnessVersion } from '../version.js';
import { readConfig } from '../config.js';
import { addCompareCommand } from './commands/compare.js';
import { addConformanceCommand } from './commands/conformance.js';
import { addEvaluateCommand } from './commands/evaluate.js';
import { addGcCommand } from './commands/gc.js';
import { addHistoryCommands } from './commands/history.js';
import { addTrendsCommand } from './commands/trends.js';
import { addImageCommands } from './commands/image.js';
import { addPlatformsCommand } from './commands/platforms.js';
import { addProofCommand } from './commands/proof.js';
import { addRunCommand } from './commands/run.js';
import { addSetupCommand } from './commands/setup.js';
import type { CliContext } from './context.js';

/**
 * The only place that turns outcomes into exit codes: 0 all passed, skipped or xfailed,
 * 1 a case failed or xpassed, 2 bad input, 3 the environment is not ready, 4 a cell could
 * not be judged (error) and none failed, 130 interrupted.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
    process.stderr.write(`\n${signal}: stopping, removing this run's instances (again to quit at once)\n`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const context: CliContext = {
    config: readConfig(process.env, Boolean(process.stdout.isTTY)),
    signal: abort.signal,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    argv,
    exitCode: 0,
  };
  const program = new Command('harness')
    .description('cloudproof: boot cloud images with a build under test, harvest what happened inside, judge it with mocha')
    .version(harnessVersion())
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  addSetupCommand(program, context);
  addRunCommand(program, context);
  addProofCommand(program, context);
  addEvaluateCommand(program, context);
  addGcCommand(program, context);
  addImageCommands(program, context);
  addConformanceCommand(program, context);
  addPlatformsCommand(program, context);
  addHistoryCommands(program, context);
  addTrendsCommand(program, context);
  addCompareCommand(program, context);

  try {
    await program.parseAsync([...argv]);
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    if (isHarnessError(error)) {
      context.err(`harness: ${error.oneLine()}`);
      return error.exitCode;
    }
    context.err(`harness: unexpected error (a bug; please report it with this trace):\n${error instanceof Error ? error.stack : String(error)}`);
    return 70;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
