import { HarnessError } from '../../core/errors.js';
import type { PrebootFile } from '../types.js';
import { isNotFound, type LxdClient } from './client.js';
import { instancePath } from './instance.js';

const DEFAULT_MODE = 0o644;

/**
 * Writes LaunchSpec.files into a container that was created but never started. LXD's files
 * API works on a stopped container (it mounts its volume), and it maps uid 0 to the
 * container's root, so the guest finds them in place, root's, when it first boots.
 */
export async function pushPrebootFiles(client: LxdClient, name: string, files: readonly PrebootFile[]): Promise<void> {
  for (const file of files) {
    const headers = { 'x-lxd-type': 'file', 'x-lxd-write': 'overwrite', 'x-lxd-mode': `0${(file.mode ?? DEFAULT_MODE).toString(8)}`, 'x-lxd-uid': '0', 'x-lxd-gid': '0' };
    const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : Buffer.from(file.content.buffer, file.content.byteOffset, file.content.byteLength);
    try {
      await client.sync('POST', `${instancePath(name)}/files?path=${encodeURIComponent(file.path)}`, { rawBody: bytes, headers });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      throw new HarnessError('PLATFORM_API', `cannot put ${file.path} into ${name} before its first boot: its directory does not exist in the image`, {
        hint: 'give only files whose directory the image has',
        cause: error,
      });
    }
  }
}
