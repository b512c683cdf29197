import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolve as resolveModule } from 'import-meta-resolve';
import { HarnessError, UsageError } from '../core/errors.js';
import type { PlatformDriver } from './types.js';

/** The drivers this package ships, imported only when asked for: a run on one platform loads no other's SDK. */
const BUILT_IN: Readonly<Record<string, () => Promise<{ default: unknown }>>> = {
  fake: () => import('./fake/index.js'),
  lxd: () => import('./lxd/index.js'),
  qemu: () => import('./qemu/index.js'),
};

export function platformNames(): string[] {
  return Object.keys(BUILT_IN).sort();
}

/** What the user asked for: a built-in driver by name, or a module of anyone's. */
export interface DriverChoice {
  readonly platform: string;
  /** `--platform-module`: an npm package name or a path to a module; wins over `platform`. */
  readonly module: string | undefined;
}

export async function loadDriver(choice: string | DriverChoice, cwd: string = process.cwd()): Promise<PlatformDriver> {
  const { platform, module } = typeof choice === 'string' ? { platform: choice, module: undefined } : choice;
  if (module !== undefined) return loadDriverModule(module, cwd);
  const load = BUILT_IN[platform];
  if (!load) {
    const close = platformNames().find((known) => known.startsWith(platform.slice(0, 2)));
    throw new HarnessError('UNKNOWN_PLATFORM', `unknown platform "${platform}"${close ? ` (did you mean "${close}"?)` : ''}`, {
      hint: `valid platforms: ${platformNames().join(', ')}; a driver from another package: --platform-module <package or path>`,
    });
  }
  return asDriver((await load()).default, platform);
}

/** A path (it has a slash or starts with a dot) is taken from `cwd`; anything else is a package found from `cwd`. */
async function loadDriverModule(spec: string, cwd: string): Promise<PlatformDriver> {
  const isPath = spec.startsWith('.') || isAbsolute(spec) || spec.includes('/') && !spec.startsWith('@');
  let url: string;
  try {
    url = isPath ? pathToFileURL(resolve(cwd, spec)).href : resolveModule(spec, pathToFileURL(resolve(cwd, 'package.json')).href);
  } catch (error) {
    throw new UsageError(`cannot find the platform module "${spec}" from ${cwd}`, isPath ? 'give a path to the module file or its folder' : `install it first: npm install ${spec}`);
  }
  let loaded: { default?: unknown };
  try {
    loaded = (await import(url)) as { default?: unknown };
  } catch (error) {
    throw new HarnessError('UNKNOWN_PLATFORM', `the platform module "${spec}" failed to load: ${(error as Error).message}`, {
      hint: 'fix the module, or check that its dependencies are installed',
      cause: error,
    });
  }
  return asDriver(loaded.default, spec);
}

/** A driver is checked for its shape once, here, so that a wrong export is one clear line and not a crash mid-run. */
function asDriver(value: unknown, from: string): PlatformDriver {
  const driver = value as Partial<PlatformDriver> | undefined;
  const problems: string[] = [];
  if (typeof driver?.name !== 'string' || driver.name === '') problems.push('a name');
  if (typeof driver?.create !== 'function') problems.push('create()');
  if (typeof driver?.setupSteps !== 'function') problems.push('setupSteps()');
  if (!Array.isArray(driver?.capabilities)) problems.push('capabilities');
  if (problems.length > 0) {
    throw new HarnessError('UNKNOWN_PLATFORM', `"${from}" does not default-export a platform driver (missing ${problems.join(', ')})`, {
      hint: 'export default a PlatformDriver; see docs/platforms.md',
    });
  }
  return driver as PlatformDriver;
}
