import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * The only place that reads the environment. Everything below the CLI gets these values
 * passed in, so a CI worker can call the same functions with its own.
 */
export interface HarnessConfig {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Built images' facts and work dirs live under `<cacheDir>/images`. */
  readonly cacheDir: string;
  /** The boot-time history (reports/trends/history/): `CLOUDPROOF_HISTORY`, else a file under the cache dir. */
  readonly historyFile: string;
  readonly interactive: boolean;
}

export function readConfig(env: Readonly<Record<string, string | undefined>>, stdoutIsTty: boolean): HarnessConfig {
  // A relative XDG_CACHE_HOME is to be ignored, as the XDG spec says.
  const xdg = env.XDG_CACHE_HOME;
  const cacheRoot = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.cache');
  const cacheDir = env.CLOUDPROOF_CACHE ?? join(cacheRoot, 'cloudproof');
  return {
    env: { ...env },
    cacheDir,
    historyFile: env.CLOUDPROOF_HISTORY ?? join(cacheDir, 'history', 'boot-times.sqlite'),
    interactive: stdoutIsTty && !env.CI,
  };
}
