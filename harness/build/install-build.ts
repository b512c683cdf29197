import { readFile } from 'node:fs/promises';
import type { ExecResult, Instance } from '../../platforms/types.js';
import { HarnessError } from '../errors.js';
import { CLOUD_INIT_PACKAGE, type AptSourceLine, type DebArtifact, type InstallableBuild } from './build-source.js';

/**
 * Puts a build into a running instance the way a distro ships an update (push, apt
 * install), then reads back what dpkg says is installed and fails loudly when it is not
 * what the build carries: a test run against the wrong cloud-init proves nothing.
 * Shared by image preparation and the per-case upgrade flow.
 */

/** Not /tmp: systemd mounts a fresh tmpfs over it early in boot, hiding what was pushed there. */
export const BUILD_DIR = '/var/tmp/cloudproof-build';
export const REPO_LIST = '/etc/apt/sources.list.d/cloudproof-build.list';
export const REPO_PIN = '/etc/apt/preferences.d/cloudproof-build.pref';

/**
 * --reinstall: a build of the version the image already has (a tree changed without a
 * version bump) is otherwise "already the newest version" and silently not installed
 * (seen here). --allow-downgrades: a build may carry a lower version than the image.
 * confold: the image's own edits to conffiles stay, as on an upgraded machine.
 */
export const APT_INSTALL = ['apt-get', 'install', '-y', '--reinstall', '--allow-downgrades', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'] as const;
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const QUERY_TIMEOUT_MS = 60_000;
const OUTPUT_TAIL_CHARS = 600;

/** Priority above 1000 makes apt take the repository's version even when it is lower than the image's. */
export function pinFor(line: AptSourceLine): string {
  return `Package: *\nPin: origin "${new URL(line.uri).hostname}"\nPin-Priority: 1001\n`;
}

/** Returns the cloud-init version dpkg reports afterwards. */
export async function installBuild(instance: Instance, build: InstallableBuild, signal: AbortSignal): Promise<string> {
  return build.kind === 'repo' ? installFromRepo(instance, build.line, signal) : installDebs(instance, build.debs, signal);
}

async function installDebs(instance: Instance, debs: readonly DebArtifact[], signal: AbortSignal): Promise<string> {
  await run(instance, ['mkdir', '-p', BUILD_DIR], 'mkdir', signal, QUERY_TIMEOUT_MS);
  // Named by position and package: apt only takes a path ending in .deb, and two builds' basenames may clash.
  const paths = debs.map((deb, index) => `${BUILD_DIR}/${index}-${deb.package}.deb`);
  for (const [index, deb] of debs.entries()) await instance.push(paths[index] ?? '', await readFile(deb.path));
  await run(instance, [...APT_INSTALL, ...paths], 'apt-get install of the build', signal, INSTALL_TIMEOUT_MS, missingDependencyHint);
  const installed = await installedVersions(instance, [...debs.map((deb) => deb.package), CLOUD_INIT_PACKAGE], signal);
  for (const deb of debs) {
    const version = installed.get(deb.package);
    if (version !== deb.version) {
      throw new HarnessError('IMAGE_BUILD', `after installing ${deb.path}, ${instance.name} has ${deb.package} ${version ?? '(not installed)'}, not ${deb.version}`, {
        hint: 'the package manager kept or chose another version; look at the apt output with --keep-failed',
      });
    }
  }
  return cloudInitVersion(instance, installed);
}

async function installFromRepo(instance: Instance, line: AptSourceLine, signal: AbortSignal): Promise<string> {
  await instance.push(REPO_LIST, `${line.text}\n`);
  await instance.push(REPO_PIN, pinFor(line));
  await run(instance, ['apt-get', 'update'], `apt-get update with ${line.uri}`, signal, INSTALL_TIMEOUT_MS, () =>
    `the instance itself must reach ${line.uri} (LXD containers without a network cannot: use --build deb: instead)`,
  );
  await run(instance, [...APT_INSTALL, CLOUD_INIT_PACKAGE], `apt-get install ${CLOUD_INIT_PACKAGE} from ${line.uri}`, signal, INSTALL_TIMEOUT_MS);
  const version = cloudInitVersion(instance, await installedVersions(instance, [CLOUD_INIT_PACKAGE], signal));
  const offers = await run(instance, ['apt-cache', 'madison', CLOUD_INIT_PACKAGE], 'apt-cache madison', signal, QUERY_TIMEOUT_MS);
  // ` cloud-init | 23.1-1 | http://host/debian bookworm/main amd64 Packages`
  const base = line.uri.replace(/\/+$/, '');
  const fromRepo = offers.split('\n').some((row) => {
    const [, offered, where] = row.split('|').map((cell) => cell.trim());
    return offered === version && where !== undefined && where.startsWith(base);
  });
  if (!fromRepo) {
    throw new HarnessError('IMAGE_BUILD', `${instance.name} has ${CLOUD_INIT_PACKAGE} ${version}, which ${line.uri} does not offer`, {
      hint: `check that "${line.text}" carries ${CLOUD_INIT_PACKAGE} for this release`,
    });
  }
  return version;
}

async function installedVersions(instance: Instance, packages: readonly string[], signal: AbortSignal): Promise<Map<string, string>> {
  // Not run(): dpkg-query exits 1 when one of several packages is unknown, and still prints the others.
  const result = await instance.exec({ command: ['dpkg-query', '-W', '-f', '${Package}\t${Version}\t${db:Status-Abbrev}\n', ...new Set(packages)], timeoutMs: QUERY_TIMEOUT_MS, signal });
  const versions = new Map<string, string>();
  for (const row of result.stdout.toString('utf8').split('\n')) {
    const [name, version, status] = row.split('\t');
    // "ii " is installed; an unpacked or half-configured package is not the build in working order.
    if (name && version && status?.startsWith('ii')) versions.set(name.replace(/:.*$/, ''), version);
  }
  return versions;
}

function cloudInitVersion(instance: Instance, installed: ReadonlyMap<string, string>): string {
  const version = installed.get(CLOUD_INIT_PACKAGE);
  if (version === undefined) throw new HarnessError('IMAGE_BUILD', `${CLOUD_INIT_PACKAGE} is not installed in ${instance.name} after installing the build`);
  return version;
}

function missingDependencyHint(output: string): string | undefined {
  if (!/Depends:|unmet dependencies/i.test(output)) return undefined;
  return 'the instance has no network to fetch dependencies: pass them along, e.g. --build deb:cloud-init.deb,python3-debconf.deb (apt-get download python3-debconf on the host)';
}

/** Runs a command that must succeed and returns its stdout; otherwise says what failed and how it ended. */
async function run(
  instance: Instance,
  command: readonly string[],
  what: string,
  signal: AbortSignal,
  timeoutMs: number,
  hint: (output: string) => string | undefined = () => undefined,
): Promise<string> {
  const result: ExecResult = await instance.exec({ command, env: APT_ENV, timeoutMs, signal });
  const stdout = result.stdout.toString('utf8');
  if (result.exitCode === 0) return stdout;
  const output = `${stdout}\n${result.stderr.toString('utf8')}`;
  const tail = output.trim().slice(-OUTPUT_TAIL_CHARS).replace(/\s*\n\s*/g, ' / ');
  const hinted = hint(output);
  throw new HarnessError('IMAGE_BUILD', `${what} failed in ${instance.name} (exit ${result.exitCode}): ${tail}`, hinted === undefined ? {} : { hint: hinted });
}
