import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { newRunId } from '../../../core/run-id.js';
import { EXIT_INTERRUPTED, UsageError } from '../../../core/errors.js';
import type { CliContext } from '../context.js';
import { collect, nonNegativeNumber, positiveInteger, regularExpression } from '../options.js';
import { openPlatform, platformOptionsOf } from '../platform-flags.js';
import { harnessRunOptions, type RunCommandOptions } from './run.js';

/**
 * A 10 % minimum effect, where trends take 5 %: six boots a side tell apart little more
 * than the order of the boots, and with some forty series per comparison a smaller minimum
 * let one A/A comparison in twenty name a series that moved (docs/benchmarks.md).
 */
export const COMPARE_DEFAULTS = { boots: 6, maxBoots: 20, case: '^clean_boot$', minEffectMs: 20, minEffectPercent: 10 } as const;

export function addCompareCommand(program: Command, context: CliContext): void {
  platformOptionsOf(program.command('compare'))
    .description('boot two builds interleaved on this host and say, per stage and module, whether the candidate is SAME, SLOWER, FASTER or UNKNOWN against the baseline (Mann–Whitney U and Kolmogorov–Smirnov)')
    .requiredOption('-b, --build <spec>', 'the candidate build: none, deb:<file>[,<dep.deb>...], source:<dir> or repo:<apt source line>')
    .option('--baseline <spec>', 'the build it is compared with, in the same form', 'none')
    .option('--boots <n>', 'boots of each build before the first verdict', positiveInteger, COMPARE_DEFAULTS.boots)
    .option('--max-boots <n>', 'while a series is UNKNOWN, boot a pair more, up to this many of each', positiveInteger, COMPARE_DEFAULTS.maxBoots)
    .option('-i, --image <ref>', 'image to boot (repeatable; default debian/bookworm)', collect, [] as string[])
    .option('--release <name>', 'shorthand for --image debian/<name> (repeatable)', collect, [] as string[])
    .option('-t, --testcases <dir>', 'a folder of test cases (repeatable; default: the built-in cases)', collect, [] as string[])
    .option('-g, --grep <regexp>', 'the cases to boot, by name or description', regularExpression, new RegExp(COMPARE_DEFAULTS.case))
    .option('-e, --expectations <file>', "a vendor's facts and expectations, applied after ours (repeatable)", collect, [] as string[])
    .option('--min-effect-ms <ms>', 'a smaller difference of the medians is SAME whatever its p-value', nonNegativeNumber, COMPARE_DEFAULTS.minEffectMs)
    .option('--min-effect-percent <pct>', "nor one smaller than this share of the baseline's median", nonNegativeNumber, COMPARE_DEFAULTS.minEffectPercent)
    .option('-r, --results <dir>', 'where compare-<id>/ (each run, and compare.json) is written', 'results')
    .option('--pairs-at-once', "boot each round's two builds at the same time (after the first round), so the host's load falls on both at once")
    .option('--systemd', "also compare systemd's figures and units (every service on the machine moves them, not cloud-init alone)")
    .option('--all', 'also the module series that did not move')
    .option('--fail-on-regression', 'exit 1 when a series is SLOWER')
    .action(async (options) => {
      if (options.maxBoots < options.boots) throw new UsageError(`--max-boots ${options.maxBoots} is fewer than --boots ${options.boots}`, `pass --max-boots ${options.boots} or more`);
      if (options.boots < 2) throw new UsageError('--boots must be 2 or more: one boot of each build is no sample', 'pass --boots 6');
      // Loaded here: the run loop and the statistics are not for `harness --help`.
      const [{ runHarness }, { silentObserver }, { compareBuilds }, { compareTable, verdictCounts }] = await Promise.all([
        import('../../run/run-loop.js'),
        import('../../run/observer.js'),
        import('../../compare/compare-builds.js'),
        import('../../compare/compare-table.js'),
      ]);
      const compareDir = resolve(options.results, `compare-${newRunId(new Date())}`);
      const sideOptions = (build: string): RunCommandOptions => ({
        ...options,
        build,
        results: compareDir,
        tag: [],
        excludeTag: [],
        keepFailed: false,
        verbose: false,
        // One boot a case per run, each case alone: a shared boot's times are no one case's.
        concurrency: 1,
        isolated: true,
      });
      const sides = { baseline: harnessRunOptions(context, sideOptions(options.baseline)), candidate: harnessRunOptions(context, sideOptions(options.build)) };
      const { platform } = await openPlatform(context, options);
      try {
        context.err(`compare: ${options.boots} boots each (up to ${options.maxBoots}) of baseline ${options.baseline} and candidate ${options.build}, interleaved; runs in ${compareDir}`);
        const result = await compareBuilds({
          boots: options.boots,
          maxBoots: options.maxBoots,
          compare: { minEffectMs: options.minEffectMs, minEffectPercent: options.minEffectPercent },
          pairsAtOnce: options.pairsAtOnce === true,
          includeSystemd: options.systemd === true,
          signal: context.signal,
          // The history keeps runs of one build after another, not this interleaving.
          runOnce: async (side) => (await runHarness({ ...sides[side], historyFile: undefined, platform, observer: silentObserver })).manifest,
          onRun: (side, round, manifest) => context.err(`round ${round}: ${side} run ${manifest.runId}: ${manifest.cells.map((cell) => `${cell.case} ${cell.verdict ?? cell.state}`).join(', ')}`),
        });
        await mkdir(compareDir, { recursive: true });
        await writeFile(join(compareDir, 'compare.json'), `${JSON.stringify({ schema: 1, baseline: options.baseline, candidate: options.build, ...result }, null, 2)}\n`);
        for (const line of compareTable(result, { all: options.all })) context.out(line);
        const counts = verdictCounts(result.series);
        context.out(`${result.boots} boots each: ${counts.SLOWER} slower, ${counts.FASTER} faster, ${counts.UNKNOWN} unknown, ${counts.SAME} same; ${join(compareDir, 'compare.json')}`);
        if (context.signal.aborted) context.exitCode = EXIT_INTERRUPTED;
        else if (result.series.length === 0) {
          context.err('no boot of either build passed, so there is nothing to compare: see the runs above');
          context.exitCode = 4;
        } else if (options.failOnRegression && counts.SLOWER > 0) {
          context.err(`${counts.SLOWER} series got slower (--fail-on-regression)`);
          context.exitCode = 1;
        }
      } finally {
        await platform.close();
      }
    });
}
