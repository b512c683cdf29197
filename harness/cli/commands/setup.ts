import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import type { PlatformDriver, PlatformOptions, SetupStep } from '../../../platforms/types.js';
import type { CliContext } from '../context.js';
import { collect } from '../options.js';
import { loadPlatformDriver, platformOptionsOf } from '../platform-flags.js';
import { DEFAULT_IMAGE } from './run.js';

export function addSetupCommand(program: Command, context: CliContext): void {
  platformOptionsOf(program.command('setup').description('make this machine ready to run cases: install and start the platform, create storage, build the test images (idempotent)'))
    .option('--release <name>', `Debian release to build a test image of (repeatable; ${DEFAULT_IMAGE.split('/')[1]} when none is given)`, collect, [] as string[])
    .option('--no-image', 'skip building test images')
    .action(async (options) => {
      const { imageToolsSetupStep } = await import('../../../images/setup.js');
      const { driver, options: platformOptions } = await loadPlatformDriver(context, options);
      const steps: SetupStep[] = [...driver.setupSteps(platformOptions)];
      if (options.image) {
        steps.push(imageToolsSetupStep(context.config.env));
        const [distro = 'debian', defaultRelease = 'bookworm'] = DEFAULT_IMAGE.split('/');
        const releases = options.release.length > 0 ? [...new Set(options.release)] : [defaultRelease];
        steps.push(...releases.map((release) => imageSetupStep(driver, platformOptions, join(context.config.cacheDir, 'images'), distro, release)));
      }
      for (const step of steps) {
        const report = await step.run({ log: (line) => context.err(`  ${line}`), signal: context.signal });
        context.out(`✓ ${step.title}: ${report}`);
      }
      context.out(`ready: npx harness run --platform ${driver.name}`);
    });
}

/** Builds one test image, or says it is already built from the current recipe. */
function imageSetupStep(driver: PlatformDriver, platformOptions: PlatformOptions, cacheDir: string, distro: string, release: string): SetupStep {
  return {
    title: `image ${distro}/${release}`,
    run: async (setup) => {
      const { buildImage } = await import('../../../images/build-image.js');
      const platform = driver.create(platformOptions);
      try {
        const result = await buildImage(platform, {
          distro,
          release,
          cacheDir,
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
  };
}
