import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { loadDriver } from '../../../platforms/registry.js';
import type { CliContext } from '../context.js';

export function addImageCommands(program: Command, context: CliContext): void {
  const image = program.command('image').description('build and manage test images');
  image
    .command('build')
    .description('build a test image from a distro archive and import it (skipped when an identical one exists)')
    .option('-p, --platform <name>', 'platform to import into', 'lxd')
    .option('--distro <name>', 'distribution', 'debian')
    .option('--release <name>', 'release', 'bookworm')
    .option('--force', 'rebuild even when the recipe has not changed', false)
    .action(async (options) => {
      const { buildImage } = await import('../../../images/build-image.js');
      const platform = (await loadDriver(options.platform)).create({ env: context.config.env });
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

  program
    .command('images')
    .description('list the images the harness built')
    .option('-p, --platform <name>', 'platform', 'lxd')
    .action(async (options) => {
      const platform = (await loadDriver(options.platform)).create({ env: context.config.env });
      try {
        await platform.connect();
        const images = (await platform.listImages()).filter((entry) => entry.aliases.some((alias) => alias.startsWith('cloudproof/')));
        if (images.length === 0) context.out('no harness images; build one with: npx harness image build --distro debian --release bookworm');
        for (const entry of images) {
          context.out(`${entry.aliases.join(',')}  ${entry.fingerprint.slice(0, 12)}  cloud-init ${entry.properties['cloudproof.cloud-init'] ?? '?'}  ${Math.round(entry.sizeBytes / 1e6)} MB  ${entry.createdAt}`);
        }
      } finally {
        await platform.close();
      }
    });
}
