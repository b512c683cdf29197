import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { execa, ExecaError } from 'execa';
import { AbortedError, HarnessError } from '../errors.js';

/** What `harness setup` needs to know about the host and its package manager. */

type Env = Readonly<Record<string, string | undefined>>;

/** Where apt's progress goes, and what stops it. */
export interface AptContext {
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

export async function aptInstall(packages: readonly string[], context: AptContext): Promise<void> {
  const options = { env: { DEBIAN_FRONTEND: 'noninteractive' }, ...(context.signal === undefined ? {} : { cancelSignal: context.signal }) };
  try {
    context.log('apt-get update');
    await execa('apt-get', ['update'], options);
    context.log(`apt-get install -y ${packages.join(' ')}`);
    await execa('apt-get', ['install', '-y', ...packages], options);
  } catch (error) {
    if (error instanceof ExecaError && error.isCanceled) throw new AbortedError('apt-get');
    const detail = error instanceof ExecaError ? error.shortMessage : String(error);
    throw new HarnessError('SETUP', `installing ${packages.join(' ')} failed: ${detail}`, {
      hint: `run it by hand: apt-get update && apt-get install -y ${packages.join(' ')}`,
      cause: error,
    });
  }
}

/** Searches PATH and the sbin directories a non-root PATH often lacks. */
export async function findExecutable(name: string, env: Env): Promise<string | undefined> {
  const dirs = [...(env.PATH ?? '').split(':').filter(Boolean), '/usr/local/sbin', '/usr/sbin', '/sbin', '/snap/bin'];
  for (const dir of dirs) {
    const candidate = `${dir}/${name}`;
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

export async function isDebianLike(): Promise<boolean> {
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(osRelease);
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
