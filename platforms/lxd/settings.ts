import { UsageError } from '../../core/errors.js';
import type { PlatformOptions } from '../types.js';
import { lxdSocketPath } from './client.js';

/** The driver's own settings (`--platform-option key=value`), each with what it does. */
const SETTINGS = {
  socket: "path of LXD's unix socket (default: $LXD_DIR/unix.socket, else the snap's or Debian's)",
} as const;

/** Where this driver talks to LXD; throws a UsageError for a setting it does not know. */
export function socketPathOf(options: PlatformOptions): string {
  for (const key of Object.keys(options.settings)) {
    if (!Object.hasOwn(SETTINGS, key)) {
      throw new UsageError(`the lxd platform has no setting "${key}"`, `its settings: ${Object.entries(SETTINGS).map(([name, what]) => `${name} (${what})`).join('; ')}`);
    }
  }
  const socket = options.settings.socket;
  if (socket === undefined) return lxdSocketPath(options.env);
  if (socket === '') throw new UsageError('the lxd setting "socket" is empty', 'give the path of the unix socket, e.g. socket=/var/lib/lxd/unix.socket');
  return socket;
}
