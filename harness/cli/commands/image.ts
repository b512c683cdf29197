import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { IMAGE_PROPERTY, isHarnessImageAlias } from '../../../core/image-names.js';
import type { CliContext } from '../context.js';
import { positiveInteger } from '../options.js';
import { openPlatform, platformOptionsOf } from '../platform-flags.js';

export function addImageCommands(program: Command, context: CliContext): void {
  const image = program.command('image').description('build and manage test images');
  platformOptionsOf(image.command('build').description('build a test image from a distro archive and import it (skipped when an identical one exists)'))
    .option('--distro <name>', 'distribution', 'debian')
    .option('--release <name>', 'release', 'bookworm')
    .option('--force', 'rebuild even when the recipe has not changed', false)
    .action(async (options) => {
      const { buildImage } = await import('../../../images/build-image.js');
      const { platform } = await openPlatform(context, options);
      try {
        await platform.connect();
        const result = await buildImage(platform, {
          distro: options.distro,
          release: options.release,
          cacheDir: join(context.config.cacheDir, 'images'),
          force: options.force,
          log: context.err,
          signal: context.signal,
        });
        context.out(
          result.reused
            ? `${result.image.ref}: reused ${result.image.fingerprint.slice(0, 12)} (recipe unchanged)`
            : `${result.image.ref}: built ${result.image.fingerprint.slice(0, 12)} with cloud-init ${result.cloudInitVersion} in ${Math.round(result.seconds)} s`,
        );
      } finally {
        await platform.close();
      }
    });

  const imagesCommand = platformOptionsOf(program.command('images').description('list the images the harness built or prepared with a build under test'))
    .action(async (options) => {
      const { platform } = await openPlatform(context, options);
      try {
        await platform.connect();
        const images = (await platform.listImages()).filter((entry) => entry.aliases.some(isHarnessImageAlias));
        if (images.length === 0) context.out('no harness images; build one with: npx harness image build --distro debian --release bookworm');
        for (const entry of images) {
          context.out(`${entry.aliases.join(',')}  ${entry.fingerprint.slice(0, 12)}  cloud-init ${entry.properties[IMAGE_PROPERTY.cloudInit] ?? '?'}  ${Math.round(entry.sizeBytes / 1e6)} MB  ${entry.createdAt}  last used ${entry.lastUsedAt ?? 'never'}`);
        }
      } finally {
        await platform.close();
      }
    });
  platformOptionsOf(imagesCommand.command('prune').description('remove prepared images (a base image with a build installed) no run has used for a while'))
    .option('--days <n>', 'remove those not used for this many days', positiveInteger, 14)
    .option('--all', 'remove every prepared image', false)
    .option('--dry-run', 'list what would be removed', false)
    .action(async (options) => {
      const { preparedToPrune } = await import('../../build-under-test/prune-prepared.js');
      const { platform } = await openPlatform(context, options);
      try {
        await platform.connect();
        const doomed = preparedToPrune(await platform.listImages(), { all: options.all, unusedDays: options.days, now: new Date() });
        if (doomed.length === 0) context.out(options.all ? 'no prepared images' : `no prepared image unused for ${options.days} day(s)`);
        for (const { image, lastUsed } of doomed) {
          const what = `${image.aliases.join(',') || image.fingerprint.slice(0, 12)} (cloud-init ${image.properties[IMAGE_PROPERTY.cloudInit] ?? '?'}, last used ${lastUsed})`;
          if (options.dryRun) {
            context.out(`would remove ${what}`);
            continue;
          }
          await platform.deleteImage(image.fingerprint);
          context.out(`removed ${what}`);
        }
      } finally {
        await platform.close();
      }
    });
}
