import type { FakeGuest } from './guest.js';
import { BOOT_ID_PATH } from '../wait/index.js';
import { CLOUD_INIT_LOG } from '../../core/cloud-init-paths.js';
import { tarArchive, type TarEntry } from './tar-archive.js';

/**
 * What `sh -s` prints in a fake guest whatever script it is fed: the tar the harness's
 * harvest script makes (harness/harvest/bundle.ts), with collectors/ answering from the
 * behaviour (`cloud-init-status` from its status and recoverable errors, `schema-system`
 * valid, then `outputs`) and files/ holding cloud-init.log, the boot id and the behaviour's files as
 * the guest has them now.
 */
export function harvestArchive(guest: FakeGuest): Buffer {
  const { behaviour } = guest;
  const status = JSON.stringify({ status: behaviour.status ?? 'done', errors: [], recoverable_errors: behaviour.recoverableErrors ?? {} });
  const outputs: Record<string, string> = { 'cloud-init-status': status, 'schema-system': 'Valid schema', ...behaviour.outputs };
  const entries: TarEntry[] = [{ path: 'collectors/', mode: 0o755 }];
  for (const [name, stdout] of Object.entries(outputs)) {
    entries.push(
      { path: `collectors/${name}.out`, content: Buffer.from(stdout), mode: 0o644 },
      { path: `collectors/${name}.err`, content: Buffer.alloc(0), mode: 0o644 },
      { path: `collectors/${name}.rc`, content: Buffer.from('0\n'), mode: 0o644 },
    );
  }
  entries.push({ path: 'files/', mode: 0o755 });
  for (const path of new Set([CLOUD_INIT_LOG, BOOT_ID_PATH, ...Object.keys(behaviour.files ?? {})])) {
    const content = guest.files.read(path);
    const stat = guest.files.stat(path);
    if (content !== undefined && stat !== undefined) entries.push({ path: `files${path}`, content, mode: stat.mode });
  }
  return tarArchive(entries);
}
