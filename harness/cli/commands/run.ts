import type { Command } from '@commander-js/extra-typings';
import { EXIT_FAILED_CASES, EXIT_INTERRUPTED } from '../../errors.js';
import type { CliContext } from '../context.js';
import { collect, positiveInteger, regularExpression } from '../options.js';

export const DEFAULT_IMAGE = 'debian/bookworm';

export function addRunCommand(program: Command, context: CliContext): void {
  program
    .command('run')
    .description('boot every selected test case on the platform, harvest, judge and report')
    .option('-p, --platform <name>', 'where instances run', 'lxd')
    .option('-i, --image <ref>', 'image to run on (repeatable; e.g. debian/bookworm)', collect, [] as string[])
    .option('-t, --testcases <dir>', 'a folder of test cases (repeatable; default: the built-in cases)', collect, [] as string[])
    .option('-r, --results <dir>', 'where <run-id>/ is written', 'results')
    .option('-j, --concurrency <n>', 'cases booting at once (default: the number of cores)', positiveInteger)
    .option('-g, --grep <regexp>', 'only cases whose name or description matches', regularExpression)
    .option('--tag <tag>', 'only cases with this tag (repeatable: any of them)', collect, [] as string[])
    .option('--exclude-tag <tag>', 'leave out cases with this tag (repeatable)', collect, [] as string[])
    .option('--keep-failed', 'leave the instance of a failed case running, and say how to reach it', false)
    .option('--verbose', "print mocha's spec report as well as the summary", false)
    .action(async (options) => {
      // Loaded here, not at the top: `harness --help` and `harness gc` should not pay for mocha and listr2.
      const [{ loadDriver }, { runHarness }, { DEFAULT_TESTCASES_DIR }, { createProgressDisplay }, { formatSummary }] = await Promise.all([
        import('../../../platforms/registry.js'),
        import('../../run/run-loop.js'),
        import('../../../testcases/location.js'),
        import('../progress.js'),
        import('../summary.js'),
      ]);
      const driver = await loadDriver(options.platform);
      const platform = driver.create({ env: context.config.env });
      const display = createProgressDisplay(context.config.interactive, context.err);
      try {
        const result = await display.run(() =>
          runHarness({
            platform,
            imageRefs: options.image.length > 0 ? options.image : [DEFAULT_IMAGE],
            testcaseDirs: options.testcases.length > 0 ? options.testcases : [DEFAULT_TESTCASES_DIR],
            selection: { grep: options.grep, tags: options.tag, excludeTags: options.excludeTag },
            ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
            keepFailed: options.keepFailed,
            resultsDir: options.results,
            startedBy: { kind: 'cli', argv: context.argv.slice(2) },
            signal: context.signal,
            observer: display.observer,
            reporterOutput: options.verbose ? 'spec' : 'none',
          }),
        );
        context.out(formatSummary(result));
        context.exitCode = result.interrupted ? EXIT_INTERRUPTED : result.manifest.summary.failed > 0 ? EXIT_FAILED_CASES : 0;
      } finally {
        await platform.close();
      }
    });
}
