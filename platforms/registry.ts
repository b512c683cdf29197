import { HarnessError } from '../harness/errors.js';
import type { PlatformDriver } from './types.js';

/** Drivers by name, imported only when asked for: a run on one platform loads no other's SDK. */
const drivers: Readonly<Record<string, () => Promise<{ default: PlatformDriver }>>> = {
  lxd: () => import('./lxd/index.js'),
};

export function platformNames(): string[] {
  return Object.keys(drivers).sort();
}

export async function loadDriver(name: string): Promise<PlatformDriver> {
  const load = drivers[name];
  if (!load) {
    const close = platformNames().find((known) => known.startsWith(name.slice(0, 2)));
    throw new HarnessError('UNKNOWN_PLATFORM', `unknown platform "${name}"${close ? ` (did you mean "${close}"?)` : ''}`, {
      hint: `valid platforms: ${platformNames().join(', ')}`,
    });
  }
  return (await load()).default;
}
