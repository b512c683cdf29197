import { readFile } from 'node:fs/promises';
import type { ExecResult, Instance } from '../../platforms/types.js';
import { HarnessError } from '../../core/errors.js';
import type { ExtraPackageRecord } from '../../results-schema/run-manifest.js';
import { CLOUD_INIT_PACKAGE, type AptSourceLine, type DebArtifact, type InstallableBuild } from './build-source.js';
import { fetchMissingDependencies, type FetchContext } from './runtime-depends.js';

/**
 * Puts a build into a running instance the way a distro ships an update (push, apt
 * install, together with the dependencies the image lacks, which the host fetches since
 * the instance has no network), then reads back what dpkg says is installed and fails
 * loudly when it is not what the build carries: a test run against the wrong cloud-init
 * proves nothing. Shared by image preparation and the per-case upgrade flow.
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

export interface InstalledBuild {
  /** cloud-init's version as dpkg reports it afterwards. */
  readonly cloudInitVersion: string;
  /** Packages the image lacked that the build depends on, fetched on the host and installed with it. */
  readonly extraPackages: readonly ExtraPackageRecord[];
}

/** Returns the cloud-init version dpkg reports afterwards. */
export async function installBuild(instance: Instance, build: InstallableBuild, signal: AbortSignal): Promise<string> {
  return (await installBuildAndDependencies(instance, build, { signal, say: () => undefined })).cloudInitVersion;
}

/** As installBuild, and says which packages the image lacked and got with the build. */
export async function installBuildAndDependencies(instance: Instance, build: InstallableBuild, context: FetchContext): Promise<InstalledBuild> {
  if (build.kind === 'repo') return { cloudInitVersion: await installFromRepo(instance, build.line, context.signal), extraPackages: [] };
  return installDebs(instance, build.debs, context);
}

async function installDebs(instance: Instance, debs: readonly DebArtifact[], context: FetchContext): Promise<InstalledBuild> {
  const { signal } = context;
  await run(instance, ['mkdir', '-p', BUILD_DIR], 'mkdir', signal, QUERY_TIMEOUT_MS);
  // Named by position and package: apt only takes a path ending in .deb, and two builds' basenames may clash.
  const pushed = debs.map((deb, index) => ({ deb, instancePath: `${BUILD_DIR}/${index}-${deb.package}.deb` }));
  for (const entry of pushed) await instance.push(entry.instancePath, await readFile(entry.deb.path));
  const extras = await fetchMissingDependencies(instance, pushed, context);
  const extraPaths = extras.map((extra, index) => `${BUILD_DIR}/dep-${index}-${extra.package}.deb`);
  for (const [index, extra] of extras.entries()) await instance.push(extraPaths[index] ?? '', extra.content);
  await run(instance, [...APT_INSTALL, ...pushed.map((entry) => entry.instancePath), ...extraPaths], 'apt-get install of the build', signal, INSTALL_TIMEOUT_MS, missingDependencyHint);
  const expected = [
    ...debs.map((deb) => ({ package: deb.package, version: deb.version, from: deb.path })),
    ...extras.map((extra) => ({ package: extra.package, version: extra.version, from: `${extra.package} from the image's archive` })),
  ];
  const installed = await installedVersions(instance, [...expected.map((entry) => entry.package), CLOUD_INIT_PACKAGE], signal);
  for (const entry of expected) {
    const version = installed.get(entry.package);
    if (version !== entry.version) {
      throw new HarnessError('IMAGE_BUILD', `after installing ${entry.from}, ${instance.name} has ${entry.package} ${version ?? '(not installed)'}, not ${entry.version}`, {
        hint: 'the package manager kept or chose another version; look at the apt output with --keep-failed',
      });
    }
  }
  return { cloudInitVersion: cloudInitVersion(instance, installed), extraPackages: extras.map(({ package: name, version, reason }) => ({ package: name, version, reason })) };
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
  return "the instance has no network, and what the host fetched from the image's archive was not enough: pass the rest along, e.g. --build deb:cloud-init.deb,python3-debconf.deb";
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
