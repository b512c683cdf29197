import type { Command } from '@commander-js/extra-typings';
import { HarnessError } from '../../../core/errors.js';
import { LABEL_MANAGED, LABEL_RUN } from '../../../core/run-id.js';
import type { CliContext } from '../context.js';
import { openPlatform, platformOptionsOf } from '../platform-flags.js';

export function addGcCommand(program: Command, context: CliContext): void {
  platformOptionsOf(program.command('gc').description('remove every instance the harness created (or only one run\'s), found by label'))
    .option('--run <id>', 'only this run\'s instances')
    .option('--dry-run', 'list what would be removed', false)
    .action(async (options) => {
      const { platform } = await openPlatform(context, options);
      try {
        await platform.connect();
        const labels: Record<string, string> = options.run === undefined ? { [LABEL_MANAGED]: 'true' } : { [LABEL_RUN]: options.run };
        const found = await platform.listByLabel(labels);
        if (found.length === 0) {
          context.out(`no harness instances on ${platform.name}${options.run ? ` for run ${options.run}` : ''}`);
          return;
        }
        const failures: string[] = [];
        for (const instance of found) {
          if (options.dryRun) {
            context.out(`would remove ${instance.name} (run ${instance.labels[LABEL_RUN] ?? '?'}, ${instance.status})`);
            continue;
          }
          try {
            await platform.destroy(instance.name);
            context.out(`removed ${instance.name} (run ${instance.labels[LABEL_RUN] ?? '?'})`);
          } catch (error) {
            failures.push(`${instance.name}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        if (failures.length > 0) {
          throw new HarnessError('PLATFORM_API', `could not remove ${failures.length} instance(s): ${failures.join('; ')}`);
        }
      } finally {
        await platform.close();
      }
    });
}
