import { join } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { parseBuildSpec } from '../../build-under-test/parse-build-spec.js';
import { EXIT_INTERRUPTED } from '../../../core/errors.js';
import type { RunOptions, RunResult } from '../../run/run-loop.js';
import { DEFAULT_EXPECTATIONS_FILE, DEFAULT_TESTCASES_DIR } from '../../../testcases/location.js';
import type { CliContext } from '../context.js';
import { collect, positiveInteger, regularExpression } from '../options.js';
import { openPlatform, platformOptionsOf, type PlatformFlags } from '../platform-flags.js';

export const DEFAULT_IMAGE = 'debian/bookworm';

export function addRunCommand(program: Command, context: CliContext): void {
  platformOptionsOf(program.command('run').description('boot every selected test case on the platform, harvest, judge and report'))
    .option('-i, --image <ref>', 'image to run on (repeatable; e.g. debian/bookworm)', collect, [] as string[])
    .option('--release <name>', 'shorthand for --image debian/<name> (repeatable)', collect, [] as string[])
    .option('-t, --testcases <dir>', 'a folder of test cases (repeatable; default: the built-in cases)', collect, [] as string[])
    .option('-r, --results <dir>', 'where <run-id>/ is written', 'results')
    .option('-j, --concurrency <n>', "cases booting at once (default: the platform's, the number of cores for lxd)", positiveInteger)
    .option('-g, --grep <regexp>', 'only cases whose name or description matches', regularExpression)
    .option('--tag <tag>', 'only cases with this tag (repeatable: any of them)', collect, [] as string[])
    .option('--exclude-tag <tag>', 'leave out cases with this tag (repeatable)', collect, [] as string[])
    .option('-e, --expectations <file>', "a vendor's facts and expectations, applied after ours (repeatable)", collect, [] as string[])
    .option('-b, --build <spec>', 'the build under test: none, deb:<file>[,<dep.deb>...], source:<dir> or repo:<apt source line>', 'none')
    .addOption(new Option('--upgrade-from <what>', "boot the image's own cloud-init first, then upgrade each case to the build and reboot").choices(['image'] as const))
    .option('--isolated', 'boot every case alone: no case shares a boot with another, even where their cloud-configs could', false)
    .option('--keep-failed', 'leave the instance of a failed case running, and say how to reach it (every case then boots alone)', false)
    .option('--verbose', "print mocha's spec report as well as the summary", false)
    .option('--repeat <n>', 'run everything n times, one run after another, and name each case whose verdict changed', positiveInteger)
    .action((options) => runAndReport(context, options));
}

/** What `run` and `proof` both take from their flags. */
export interface RunCommandOptions extends PlatformFlags {
  readonly image: readonly string[];
  readonly release: readonly string[];
  readonly testcases: readonly string[];
  readonly results: string;
  readonly concurrency?: number | undefined;
  readonly grep?: RegExp | undefined;
  readonly tag: readonly string[];
  readonly excludeTag: readonly string[];
  readonly expectations: readonly string[];
  readonly build: string;
  readonly upgradeFrom?: 'image' | undefined;
  readonly keepFailed: boolean;
  /** Off by default: cases that can share a boot do (harness/packing/). */
  readonly isolated?: boolean;
  readonly verbose: boolean;
  /** Undefined: one run. N: N runs and their comparison (harness/repeat/). */
  readonly repeat?: number | undefined;
}

/** Runs (or repeats), prints the summary, writes the reports and sets the exit code: the whole of `harness run`. */
export async function runAndReport(context: CliContext, options: RunCommandOptions): Promise<void> {
  // Loaded here, not at the top: `harness --help` and `harness gc` should not pay for mocha and listr2.
  const [{ runHarness }, { createProgressDisplay }] = await Promise.all([import('../../run/run-loop.js'), import('../progress.js')]);
  const runOptions = harnessRunOptions(context, options);
  const { platform } = await openPlatform(context, options);
  const runOnce = (label?: string): Promise<RunResult> => {
    const display = createProgressDisplay(context.config.interactive, context.err, label);
    return display.run(() => runHarness({ ...runOptions, platform, observer: display.observer }));
  };
  try {
    if (options.repeat === undefined) await reportOne(context, await runOnce());
    else await repeatAndReport(context, options.repeat, options.results, runOnce);
  } finally {
    await platform.close();
  }
}

/** What `run`, `proof` and `compare` give the run loop from their flags (a bad --build stops here); the caller adds the platform and the observer. */
export function harnessRunOptions(context: CliContext, options: RunCommandOptions): Omit<RunOptions, 'observer' | 'platform'> {
  return {
    imageRefs: imageRefs(options.image, options.release),
    testcaseDirs: options.testcases.length > 0 ? options.testcases : [DEFAULT_TESTCASES_DIR],
    expectationFiles: [DEFAULT_EXPECTATIONS_FILE, ...options.expectations],
    imageCacheDir: join(context.config.cacheDir, 'images'),
    selection: { grep: options.grep, tags: options.tag, excludeTags: options.excludeTag },
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    keepFailed: options.keepFailed,
    resultsDir: options.results,
    startedBy: { kind: 'cli', argv: context.argv.slice(2) },
    signal: context.signal,
    reporterOutput: options.verbose ? 'spec' : 'none',
    build: { source: parseBuildSpec(options.build, process.cwd()), upgradeFrom: options.upgradeFrom, env: context.config.env },
    historyFile: context.config.historyFile,
    shareBoots: options.isolated !== true,
  };
}

async function reportOne(context: CliContext, result: RunResult): Promise<void> {
  const { formatSummary, verdictExitCode } = await import('../summary.js');
  context.out(formatSummary(result, result.reports));
  context.exitCode = result.interrupted ? EXIT_INTERRUPTED : verdictExitCode(result.manifest.summary);
}

async function repeatAndReport(context: CliContext, times: number, resultsDir: string, runOnce: (label: string) => Promise<RunResult>): Promise<void> {
  const [{ repeatRuns }, { formatRepeatSummary, formatRepetitionLine, repeatExitCode }] = await Promise.all([import('../../repeat/repeat-runs.js'), import('../repeat-summary.js')]);
  const repeated = await repeatRuns({
    times,
    resultsDir,
    signal: context.signal,
    runOnce: async (repetition) => {
      const result = await runOnce(`repetition ${repetition}/${times}: `);
      context.out(formatRepetitionLine(repetition, times, result));
      for (const kept of result.kept) context.out(`  kept for a look: ${kept.cell}: ${kept.howToReach}`);
      return result;
    },
  });
  context.out(formatRepeatSummary(repeated));
  // A later repetition that crashed: the ones before it are compared above, and the error is reported as a single run's would be.
  if (repeated.error !== undefined) throw repeated.error;
  context.exitCode = repeatExitCode(repeated);
}

/** The --image refs, then each --release as debian/<release>; the default image when neither is given. */
function imageRefs(images: readonly string[], releases: readonly string[]): string[] {
  const refs = [...images, ...releases.map((release) => `debian/${release}`)];
  return refs.length > 0 ? refs : [DEFAULT_IMAGE];
}
