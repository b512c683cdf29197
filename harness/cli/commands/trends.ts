import type { Command } from '@commander-js/extra-typings';
import { TREND_DEFAULTS } from '../../../reports/trends/trend-defaults.js';
import type { CliContext } from '../context.js';
import { nonNegativeNumber, positiveInteger } from '../options.js';

export function addTrendsCommand(program: Command, context: CliContext): void {
  program
    .command('trends')
    .description('per stage and module of every stored series: baseline, now, change and verdict (SAME, SLOWER, FASTER, UNKNOWN), with the run at which it moved')
    .option('--store <file-or-url>', 'the history: a SQLite file, or a postgres:// URL (default: $CLOUDPROOF_HISTORY, else a file under the cache dir)', context.config.historyFile)
    .option('--platform <name>', 'only this platform')
    .option('--image <ref>', 'only this image, e.g. debian/bookworm')
    .option('--case <name>', 'only this case')
    .option('--runs <n>', "each series' newest runs to look at", positiveInteger, TREND_DEFAULTS.lastRuns)
    .option('--min-effect-ms <ms>', 'a smaller step is SAME whatever its p-value', nonNegativeNumber, TREND_DEFAULTS.minEffectMs)
    .option('--min-effect-percent <pct>', 'nor one smaller than this share of the time before it', nonNegativeNumber, TREND_DEFAULTS.minEffectPercent)
    .option('--all', 'also the module and unit series that did not move')
    .option('--html <file>', 'also write a page with one chart per series shown, marking the change points (works offline)')
    .option('--fail-on-regression', 'exit 1 when a series is SLOWER')
    .action(async (options) => {
      // Loaded here: better-sqlite3 is a native module that `harness --help` should not load.
      const [{ openHistory, shownLocation }, { trendsOf }, { trendsTable }] = await Promise.all([
        import('../../../reports/trends/history/open-history.js'),
        import('../../../reports/trends/trends.js'),
        import('../../../reports/trends/trends-table.js'),
      ]);
      const store = await openHistory(options.store);
      try {
        const series = await store.allSeries({ platform: options.platform, image: options.image, case: options.case });
        if (series.length === 0) {
          context.err(`no boot times in ${shownLocation(options.store)}${options.platform || options.image || options.case ? ' for that filter' : ''}: run cases (each run records them), or import earlier runs with: harness history import results/<run-id>`);
          context.exitCode = 2;
          return;
        }
        const trends = trendsOf(series, { lastRuns: options.runs, minEffectMs: options.minEffectMs, minEffectPercent: options.minEffectPercent });
        for (const line of trendsTable(trends, { all: options.all })) context.out(line);
        if (options.html !== undefined) {
          const { writeTrendsPage } = await import('../../../reports/trends/trends-page.js');
          context.out(`charts: ${await writeTrendsPage(options.html, trends, { title: 'cloudproof boot-time trends', all: options.all })}`);
        }
        const slower = trends.filter((trend) => trend.verdict === 'SLOWER').length;
        if (options.failOnRegression && slower > 0) {
          context.err(`${slower} series got slower (--fail-on-regression)`);
          context.exitCode = 1;
        }
      } finally {
        await store.close();
      }
    });
}
