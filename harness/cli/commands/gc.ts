import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../context.js';
import { openPlatform, platformOptionsOf } from '../platform-flags.js';

export function addGcCommand(program: Command, context: CliContext): void {
  platformOptionsOf(program.command('gc').description('remove the instances of runs that are gone (their owner process ended, or they expired), or of one run, found by label'))
    .option('--run <id>', "this run's instances, whether or not it still runs")
    .option('--all', 'also instances without an owner label (made by a harness before owner labels)', false)
    .option('--dry-run', 'list what would be removed', false)
    .action(async (options) => {
      // Loaded here, as every command's work is: the CLI's start-up is what `harness trends` and `--help` wait for.
      const { describeStanding, sweepRuns, throwOnFailures } = await import('../../gc/sweep.js');
      const { platform } = await openPlatform(context, options);
      try {
        await platform.connect();
        const result = await sweepRuns({ platform, ...(options.run === undefined ? {} : { run: options.run }), all: options.all, dryRun: options.dryRun });
        if (result.decisions.length === 0) {
          context.out(`no harness instances on ${platform.name}${options.run ? ` for run ${options.run}` : ''}`);
          return;
        }
        const failed = new Set(result.failures.map((failure) => failure.instance));
        for (const decision of result.decisions.filter((each) => each.remove)) {
          for (const instance of decision.instances) {
            if (failed.has(instance.name)) continue;
            context.out(`${options.dryRun ? 'would remove' : 'removed'} ${instance.name} (run ${decision.runId}: ${describeStanding(decision.standing)})`);
          }
        }
        for (const path of result.abandoned) context.out(`${options.dryRun ? 'would mark' : 'marked'} ${path} abandoned`);
        const kept = result.decisions.filter((each) => !each.remove);
        if (kept.length > 0) {
          const count = kept.reduce((sum, decision) => sum + decision.instances.length, 0);
          context.out(`kept ${count} instance(s) of ${kept.length} run(s):`);
          for (const decision of kept) context.out(`  run ${decision.runId} (${decision.instances.length}): ${describeStanding(decision.standing)}`);
        }
        for (const note of result.notes) context.err(note);
        throwOnFailures(result);
      } finally {
        await platform.close();
      }
    });
}
