import { posix } from 'node:path';
import { HarnessError } from '../../core/errors.js';
import { shellQuote } from '../../core/host/shell-quote.js';
import type { ExecResult, PushOptions } from '../types.js';

/**
 * A login that is not root (cloud-init's default user: root's key is disabled by
 * `disable_root`) acts as root through `sudo -n`, which fails rather than waiting for a
 * password nobody types. The command line stays in the session's process (`exec`), so
 * its process group is still the one to kill.
 */
export function asRoot(line: string): string {
  return `exec sudo -n -- sh -c ${shellQuote(line)}`;
}

/** Exit codes of the file scripts below that say what happened without parsing a shell's error text. */
const FILE_EXIT = { missing: 3, directory: 4, noParent: 5 } as const;
const SUDO_MISSING_EXIT = 127;

/** Run once per transport before the first call: 0 when `sudo -n` works, 127 when there is no sudo. */
export const SUDO_CHECK_LINE = `command -v sudo >/dev/null 2>&1 || exit ${SUDO_MISSING_EXIT}; exec sudo -n true`;

/** Why `user` cannot become root, from the check's result; undefined when it can. */
export function sudoRefusal(result: ExecResult, user: string, what: string): HarnessError | undefined {
  if (result.exitCode === 0) return undefined;
  if (result.exitCode === SUDO_MISSING_EXIT) {
    return new HarnessError('PLATFORM_API', `${what}: ${user} cannot become root: the guest has no sudo`, {
      hint: `install sudo in the image and give ${user} a NOPASSWD rule, or log in as root`,
    });
  }
  return new HarnessError('PLATFORM_API', `${what}: ${user} cannot become root without a password (sudo -n: ${stderrLine(result)})`, {
    hint: `give ${user} a NOPASSWD sudo rule (cloud-init writes one for its default user), or log in as root`,
  });
}

/**
 * Replaces the file with stdin as root, then sets owner and mode (root:root 0644 unless
 * told, as over SFTP): `cat >` keeps a replaced file's old owner and mode otherwise.
 * chown comes first because it clears set-id bits that chmod may have to set.
 */
export function pushCommand(path: string, options: PushOptions): string[] {
  const owner = `${options.uid ?? 0}:${options.gid ?? 0}`;
  const mode = (options.mode ?? 0o644).toString(8);
  const script = `[ -d "$(dirname -- "$1")" ] || exit ${FILE_EXIT.noParent}; cat > "$1" && chown ${owner} -- "$1" && chmod ${mode} -- "$1"`;
  return ['sh', '-c', script, 'sh', path];
}

export function pushOutcome(result: ExecResult, path: string, what: string): void {
  if (result.exitCode === 0) return;
  if (result.exitCode === FILE_EXIT.noParent) {
    throw new HarnessError('PLATFORM_API', `cannot write ${path} on ${what}: its directory does not exist`, { hint: `create it first (mkdir -p ${posix.dirname(path)})` });
  }
  throw new HarnessError('PLATFORM_API', `cannot write ${path} on ${what} as root through sudo: ${stderrLine(result)}`, {
    hint: 'check that the path is a file and that the guest has free space (df -h)',
  });
}

/** The file's bytes on stdout, as root; a path that is not there (or a dangling symlink) exits FILE_EXIT.missing. */
export function pullCommand(path: string): string[] {
  return ['sh', '-c', `[ -e "$1" ] || exit ${FILE_EXIT.missing}; [ -d "$1" ] && exit ${FILE_EXIT.directory}; exec cat -- "$1"`, 'sh', path];
}

export function pullOutcome(result: ExecResult, path: string, what: string): Buffer | undefined {
  if (result.exitCode === 0) return result.stdout;
  if (result.exitCode === FILE_EXIT.missing) return undefined;
  if (result.exitCode === FILE_EXIT.directory) {
    throw new HarnessError('PLATFORM_API', `cannot pull ${path} from ${what}: it is a directory`, {
      hint: 'pull the files in it one by one, or exec `tar -c` on it and read its stdout',
    });
  }
  throw new HarnessError('PLATFORM_API', `cannot read ${path} on ${what} as root through sudo: ${stderrLine(result)}`, { hint: 'check that it is a readable file' });
}

function stderrLine(result: ExecResult): string {
  return result.stderr.toString('utf8').trim().split('\n').at(-1) || `exit ${result.exitCode}`;
}
