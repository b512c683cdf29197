import { join } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { UsageError } from '../../core/errors.js';
import type { Platform, PlatformDriver, PlatformOptions } from '../../platforms/types.js';
import type { CliContext } from './context.js';
import { collect } from './options.js';

/** The flags every command that talks to a platform takes. */
export interface PlatformFlags {
  readonly platform: string;
  readonly platformModule?: string | undefined;
  readonly platformOption: readonly string[];
}

export function platformOptionsOf<T extends Command<[], {}>>(command: T) {
  return command
    .option('-p, --platform <name>', 'a built-in platform driver (fake, lxd)', 'lxd')
    .addOption(new Option('--platform-module <module>', 'a driver from another package: its npm name or a path to it (wins over --platform)'))
    .option('--platform-option <key=value>', "a setting of the driver's own (repeatable)", collect, [] as string[]);
}

export function parseSettings(pairs: readonly string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--platform-option "${pair}" is not key=value`, 'e.g. --platform-option region=eu-west-1');
    settings[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return settings;
}

export async function loadPlatformDriver(context: CliContext, flags: PlatformFlags): Promise<{ driver: PlatformDriver; options: PlatformOptions }> {
  const { loadDriver } = await import('../../platforms/registry.js');
  const driver = await loadDriver({ platform: flags.platform, module: flags.platformModule });
  const options: PlatformOptions = {
    env: context.config.env,
    settings: parseSettings(flags.platformOption),
    stateDir: join(context.config.cacheDir, 'platforms', driver.name),
  };
  return { driver, options };
}

/** Creates the platform the flags name; the caller closes it. */
export async function openPlatform(context: CliContext, flags: PlatformFlags): Promise<{ driver: PlatformDriver; platform: Platform }> {
  const { driver, options } = await loadPlatformDriver(context, flags);
  return { driver, platform: driver.create(options) };
}
