import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import type { SetupStep } from '../../../platforms/types.js';
import type { CliContext } from '../context.js';
import { DEFAULT_IMAGE } from './run.js';

export function addSetupCommand(program: Command, context: CliContext): void {
  program
    .command('setup')
    .description('make this machine ready to run cases: install and start the platform, create storage, build the default image (idempotent)')
    .option('-p, --platform <name>', 'platform to prepare', 'lxd')
    .option('--no-image', 'skip building the default test image')
    .action(async (options) => {
      const [{ loadDriver }, { buildImage }, { imageToolsSetupStep }] = await Promise.all([
        import('../../../platforms/registry.js'),
        import('../../../images/build-image.js'),
        import('../../../images/setup.js'),
      ]);
      const driver = await loadDriver(options.platform);
      const platformOptions = { env: context.config.env };
      const steps: SetupStep[] = [...driver.setupSteps(platformOptions)];
      if (options.image) {
        steps.push(imageToolsSetupStep(context.config.env));
        const [distro = 'debian', release = 'bookworm'] = DEFAULT_IMAGE.split('/');
        steps.push({
          title: `default image ${DEFAULT_IMAGE}`,
          run: async (setup) => {
            const platform = driver.create(platformOptions);
            try {
              const result = await buildImage(platform, {
                distro,
                release,
                cacheDir: join(context.config.cacheDir, 'images'),
                force: false,
                log: setup.log,
                ...(setup.signal ? { signal: setup.signal } : {}),
              });
              return result.reused
                ? `already built from the current recipe (${result.image.fingerprint.slice(0, 12)})`
                : `built in ${Math.round(result.seconds)} s with cloud-init ${result.cloudInitVersion} (${result.image.fingerprint.slice(0, 12)})`;
            } finally {
              await platform.close();
            }
          },
        });
      }
      for (const step of steps) {
        const report = await step.run({ log: (line) => context.err(`  ${line}`), signal: context.signal });
        context.out(`✓ ${step.title}: ${report}`);
      }
      context.out(`ready: npx harness run --platform ${driver.name}`);
    });
}
