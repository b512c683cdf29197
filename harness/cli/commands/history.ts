import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../context.js';

export function addHistoryCommands(program: Command, context: CliContext): void {
  const history = program.command('history').description('the boot-time history kept across runs');
  history
    .command('import')
    .description('record the boot times of runs made before, from their run.json and harvest (a run imported again is replaced, not doubled)')
    .argument('<run-dir...>', 'results/<run-id> folders')
    .option('--store <file-or-url>', 'the history: a SQLite file, or a postgres:// URL (default: $CLOUDPROOF_HISTORY, else a file under the cache dir)', context.config.historyFile)
    .action(async (runDirs, options) => {
      // Loaded here: better-sqlite3 is a native module that `harness --help` should not load.
      const [{ openHistory, shownLocation }, { importRuns }] = await Promise.all([import('../../../reports/trends/history/open-history.js'), import('../../../reports/trends/history/import-runs.js')]);
      const store = await openHistory(options.store);
      try {
        for (const run of await importRuns(store, runDirs)) {
          context.out(`${run.outcome === 'added' ? 'imported' : 're-imported (replaced)'} ${run.runId}: ${run.timings} timings from ${run.runDir}`);
        }
      } finally {
        await store.close();
      }
      context.out(`history: ${shownLocation(options.store)}`);
    });
}
