import { join, resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { UsageError } from '../../core/errors.js';
import type { DriverChoice } from '../../platforms/registry.js';
import type { Platform, PlatformDriver, PlatformOptions } from '../../platforms/types.js';
import type { CliContext } from './context.js';
import { DEFAULT_CONFIG_FILE, readPlatformConfig } from './config-file.js';
import { collect } from './options.js';

/** The flags every command that talks to a platform takes. */
export interface PlatformFlags {
  readonly platform?: string | undefined;
  readonly platformModule?: string | undefined;
  readonly platformOption: readonly string[];
  readonly config?: string | undefined;
}

const DEFAULT_PLATFORM = 'lxd';

export function platformOptionsOf<T extends Command<[], {}>>(command: T) {
  return command
    .option('-p, --platform <name>', `a built-in platform driver: fake, lxd (default: the config file's, else ${DEFAULT_PLATFORM})`)
    .addOption(new Option('--platform-module <module>', 'a driver from another package: its npm name or a path to it (wins over --platform)'))
    .option('--platform-option <key=value>', "a setting of the driver's own (repeatable; wins over the config file's)", collect, [] as string[])
    .option('--config <file>', `platform, module and settings from a file (default: ./${DEFAULT_CONFIG_FILE} when there is one)`);
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

/** Flags first, then the config file, then lxd: a flag naming a platform also sets aside the file's module. */
export async function loadPlatformDriver(context: CliContext, flags: PlatformFlags): Promise<{ driver: PlatformDriver; options: PlatformOptions; choice: DriverChoice }> {
  const { loadDriver } = await import('../../platforms/registry.js');
  const file = await readPlatformConfig(flags.config, process.cwd());
  const fileModule = flags.platformModule === undefined && flags.platform === undefined ? file?.module : undefined;
  const choice: DriverChoice = {
    platform: flags.platform ?? file?.name ?? DEFAULT_PLATFORM,
    // A relative path in the file is the file's, wherever the command runs.
    module: flags.platformModule ?? (fileModule?.startsWith('.') && file ? resolve(file.moduleBase, fileModule) : fileModule),
  };
  const driver = await loadDriver(choice);
  const options: PlatformOptions = {
    env: context.config.env,
    settings: { ...file?.options, ...parseSettings(flags.platformOption) },
    stateDir: join(context.config.cacheDir, 'platforms', driver.name),
  };
  return { driver, options, choice };
}

/** Creates the platform the flags name; the caller closes it. */
export async function openPlatform(context: CliContext, flags: PlatformFlags): Promise<{ driver: PlatformDriver; platform: Platform }> {
  const { driver, options } = await loadPlatformDriver(context, flags);
  return { driver, platform: driver.create(options) };
}
