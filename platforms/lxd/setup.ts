import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, HarnessError } from '../../core/errors.js';
import { aptInstall, findExecutable, isDebianLike, isRoot } from '../../core/host/packages.js';
import type { PlatformOptions, SetupContext, SetupStep } from '../types.js';
import { LxdClient } from './client.js';
import { socketPathOf } from './settings.js';
import { checkRootPool, DEFAULT_PROFILE_PATH } from './storage.js';

/**
 * `harness setup` for LXD: installed, daemon answering, a storage pool under the default
 * profile. Each step checks first and changes nothing on a ready machine, so a second run
 * costs a few REST calls.
 */
export function lxdSetupSteps(options: PlatformOptions): SetupStep[] {
  const lxd: SetupTarget = { env: options.env, socketPath: socketPathOf(options) };
  return [
    { title: 'LXD is installed', run: (context) => ensureInstalled(lxd, context) },
    { title: 'LXD daemon answers', run: (context) => ensureDaemon(lxd, context) },
    { title: 'storage pool for instances', run: (context) => ensurePool(lxd, context) },
  ];
}

interface SetupTarget {
  readonly env: Env;
  readonly socketPath: string;
}

type Env = PlatformOptions['env'];

const POOL_NAME = 'cloudproof';
const BTRFS_POOL_SIZE = '20GiB';
const LXD_PACKAGES = ['lxd', 'lxd-client', 'btrfs-progs'];
const DAEMON_LOG = '/var/log/lxd.log';
const DAEMON_ARGS = ['--group', 'root', '--logfile', DAEMON_LOG];
const API_WAIT_MS = 60_000;
const API_POLL_MS = 250;
/** One probe of the API; a daemon that answers at all answers GET /1.0 in milliseconds. */
const PROBE_TIMEOUT_MS = 2_000;

async function ensureInstalled(options: SetupTarget, context: SetupContext): Promise<string> {
  const binary = await findExecutable('lxd', options.env);
  if (binary !== undefined) return `found ${binary}`;
  const version = await withClient(options, (client) => probe(client, context.signal));
  // The snap's daemon answers even when its binary is not on this PATH.
  if (version !== undefined) return `LXD ${version} answers on ${options.socketPath}`;
  const apt = `apt-get update && apt-get install -y ${LXD_PACKAGES.join(' ')}`;
  if (!(await isDebianLike())) {
    throw new HarnessError('SETUP', 'LXD is not installed', { hint: 'install it with `sudo snap install lxd`, then run `npx harness setup` again' });
  }
  if (!isRoot()) {
    throw new HarnessError('SETUP', 'LXD is not installed', { hint: `run: sudo sh -c '${apt}', then \`npx harness setup\` again` });
  }
  await aptInstall(LXD_PACKAGES, context);
  return `installed ${LXD_PACKAGES.join(', ')} with apt-get`;
}

async function ensureDaemon(options: SetupTarget, context: SetupContext): Promise<string> {
  return withClient(options, async (client) => {
    const version = await probe(client, context.signal);
    if (version !== undefined) return `LXD ${version} answers on ${client.socketPath}`;
    const startCommand = `lxd ${DAEMON_ARGS.join(' ')} &`;
    if (!isRoot()) {
      throw new HarnessError('SETUP', `the LXD daemon is not running (nothing answers on ${client.socketPath})`, { hint: `start it as root: sudo ${startCommand}` });
    }
    const binary = await findExecutable('lxd', options.env);
    if (binary === undefined) throw new HarnessError('SETUP', 'the lxd binary is not on PATH', { hint: `install LXD, then start it: ${startCommand}` });
    context.log(`starting ${binary} ${DAEMON_ARGS.join(' ')}`);
    const daemon = startDaemon(binary, options.env);
    const started = await waitForApi(client, daemon, context.signal);
    return `started the LXD daemon (LXD ${started}, log in ${DAEMON_LOG})`;
  });
}

async function ensurePool(options: SetupTarget, context: SetupContext): Promise<string> {
  return withClient(options, async (client) => {
    const check = await checkRootPool(client);
    if (check.ok) return `instances go to pool "${check.pool.name}" (${check.pool.driver})`;
    const existing = await client.getOrUndefined<{ readonly driver: string }>(`/1.0/storage-pools/${POOL_NAME}`);
    let made: string;
    if (existing === undefined) {
      const { driver, why } = await chooseDriver(options.env, context);
      const config = driver === 'btrfs' ? { size: BTRFS_POOL_SIZE } : {};
      context.log(`creating storage pool "${POOL_NAME}" (${driver}${why})`);
      await client.sync('POST', '/1.0/storage-pools', { body: { name: POOL_NAME, driver, config } });
      made = `created pool "${POOL_NAME}" (${driver}${driver === 'btrfs' ? `, ${BTRFS_POOL_SIZE} loop file` : ''}${why})`;
    } else {
      made = `reused pool "${POOL_NAME}" (${existing.driver})`;
    }
    // Replace whichever device mounts / (it may name a missing pool), keeping the profile's others.
    const rootName = Object.entries(check.profile.devices).find(([, device]) => device.type === 'disk' && device.path === '/')?.[0] ?? 'root';
    await client.sync('PATCH', DEFAULT_PROFILE_PATH, {
      body: { devices: { ...check.profile.devices, [rootName]: { type: 'disk', path: '/', pool: POOL_NAME } } },
    });
    return `${check.problem}: ${made} and made it the default profile's root disk`;
  });
}

/** btrfs (copy-on-write clones, fast launches) where the kernel and tools allow, else `dir`. */
async function chooseDriver(env: Env, context: SetupContext): Promise<{ driver: 'btrfs' | 'dir'; why: string }> {
  const filesystems = await readFile('/proc/filesystems', 'utf8').catch(() => '');
  if (!/\bbtrfs\b/.test(filesystems)) return { driver: 'dir', why: '; the kernel has no btrfs' };
  if ((await findExecutable('mkfs.btrfs', env)) !== undefined) return { driver: 'btrfs', why: '' };
  if ((await isDebianLike()) && isRoot()) {
    await aptInstall(['btrfs-progs'], context);
    return { driver: 'btrfs', why: '; installed btrfs-progs' };
  }
  return { driver: 'dir', why: '; no mkfs.btrfs (install btrfs-progs for faster launches)' };
}

/** The daemon outlives this process: these machines have no systemd to own it. */
function startDaemon(binary: string, env: Env): { readonly exited: Promise<string> } {
  const child = spawn(binary, DAEMON_ARGS, {
    detached: true,
    stdio: 'ignore',
    ...(env.LXD_DIR === undefined ? {} : { env: { ...process.env, LXD_DIR: env.LXD_DIR } }),
  });
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => resolve(signal === null ? `exit code ${code}` : `signal ${signal}`));
  });
  child.unref();
  return { exited };
}

async function waitForApi(client: LxdClient, daemon: { readonly exited: Promise<string> }, signal: AbortSignal | undefined): Promise<string> {
  let exit: string | undefined;
  void daemon.exited.then((why) => {
    exit = why;
  });
  const deadline = Date.now() + API_WAIT_MS;
  while (Date.now() < deadline) {
    const version = await probe(client, signal);
    if (version !== undefined) return version;
    if (exit !== undefined) {
      throw new HarnessError('SETUP', `the LXD daemon stopped while starting (${exit})`, { hint: `see ${DAEMON_LOG}` });
    }
    await sleep(API_POLL_MS, undefined, signal === undefined ? {} : { signal }).catch(() => {
      throw new AbortedError('waiting for the LXD daemon');
    });
  }
  throw new HarnessError('SETUP', `the LXD daemon did not answer on ${client.socketPath} within ${API_WAIT_MS / 1000} s`, { hint: `see ${DAEMON_LOG}` });
}

/** LXD's version when its API answers; undefined when nothing listens. Permission problems are thrown as they are. */
async function probe(client: LxdClient, signal: AbortSignal | undefined): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  try {
    const server = await client.get<{ readonly environment: { readonly server_version: string } }>(
      '/1.0',
      signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
    );
    return server.environment.server_version;
  } catch (error) {
    if (signal?.aborted) throw error;
    if (error instanceof HarnessError && (error.code === 'PLATFORM_UNAVAILABLE' || error.code === 'ABORTED')) return undefined;
    throw error;
  }
}

async function withClient<T>(options: SetupTarget, use: (client: LxdClient) => Promise<T>): Promise<T> {
  const client = new LxdClient({ socketPath: options.socketPath });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}
