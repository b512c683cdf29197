import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import type { Instance } from '../../platforms/types.js';
import type { ExtraPackageRecord } from '../../results-schema/run-manifest.js';
import { AbortedError, HarnessError } from '../../core/errors.js';
import type { DebArtifact } from './build-source.js';
import { inspectDeb } from './deb-artifact.js';
import { formatClause, parseDependsField } from './depends.js';

/**
 * Packages the build depends on that the image lacks. Instances here have no network,
 * so apt inside cannot fetch them; the host fetches them from the image's own archive
 * (its release may not be the host's: a trixie image on a bookworm host), resolving with
 * apt against the image's own dpkg status, and they are installed together with the build.
 */
export interface ExtraPackage extends ExtraPackageRecord {
  readonly sha256: string;
  readonly content: Buffer;
}

/** A build .deb as pushed: where it is on the host, and where in the instance. */
export interface PushedDeb {
  readonly deb: DebArtifact;
  readonly instancePath: string;
}

export interface FetchContext {
  readonly signal: AbortSignal;
  readonly say: (line: string) => void;
}

const C_ENV = { LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' };
/**
 * As the install itself takes the build (install-build.ts APT_INSTALL): over the same
 * version or a newer one the image has; and only what the build depends on, since the
 * install cannot reach recommended packages either.
 */
const RESOLVE_FLAGS = ['--reinstall', '--allow-downgrades', '--no-install-recommends'];
const QUERY_TIMEOUT_MS = 60_000;
const OUTPUT_TAIL_CHARS = 600;
const STATUS_FILE = '/var/lib/dpkg/status';
/** Where apt reads its sources, one-line (.list) and deb822 (.sources) alike. */
const SOURCE_DIRS = ['/etc/apt/sources.list', '/etc/apt/sources.list.d'];

export async function fetchMissingDependencies(instance: Instance, pushed: readonly PushedDeb[], context: FetchContext): Promise<ExtraPackage[]> {
  const { signal } = context;
  // Asked first of the instance's own apt: when it would install nothing but the build, nothing is missing.
  // (Its lists, if the image has any, may offer what it cannot download: that counts as missing too.)
  const alone = await instance.exec({ command: ['apt-get', 'install', '-s', ...RESOLVE_FLAGS, ...pushed.map((entry) => entry.instancePath)], env: C_ENV, timeoutMs: QUERY_TIMEOUT_MS, signal });
  const own = new Set(pushed.map((entry) => entry.deb.package));
  if (alone.exitCode === 0 && simulatedInstalls(alone.stdout.toString('utf8')).every((name) => own.has(name))) return [];

  const image = await imageApt(instance, signal);
  const work = await mkdtemp(join(tmpdir(), 'cloudproof-image-apt-'));
  try {
    const apt = await privateApt(work, image);
    await runApt(apt, ['update'], `reading the package lists of ${instance.name}'s archive`, signal, () =>
      `the host fetches the image's packages from the sources the image names (${image.sources.map((source) => source.name).join(', ')}); check that this host reaches them and trusts their keys`,
    );
    await runApt(apt, ['install', '--download-only', '-y', ...RESOLVE_FLAGS, ...pushed.map((entry) => entry.deb.path)], `resolving what the build needs that ${instance.name} lacks`, signal, () =>
      "the image's archive cannot satisfy the build's dependencies: build it for this release, or pass the missing packages along (--build deb:<build>.deb,<dependency>.deb)",
    );
    const fetched = (await readdir(apt.archives)).filter((name) => name.endsWith('.deb')).map((name) => join(apt.archives, name));
    const buildShas = new Set(pushed.map((entry) => entry.deb.sha256));
    const extras = (await Promise.all(fetched.map((path) => inspectDeb(path)))).filter((deb) => !buildShas.has(deb.sha256));
    if (extras.length === 0) {
      throw new HarnessError('IMAGE_BUILD', `apt in ${instance.name} cannot install the build, but the image's archive offers nothing it lacks: ${tail(alone)}`, { hint: 'look at the apt output with --keep-failed' });
    }
    const builds = await Promise.all(pushed.map((entry) => controlOf(entry.deb.path)));
    const fetchedExtras = await Promise.all(extras.map(async (deb) => ({ deb, control: await controlOf(deb.path) })));
    const among = [...builds, ...fetchedExtras.map((entry) => entry.control)];
    const installed = installedVersions(image.status);
    const result = await Promise.all(
      fetchedExtras.map(async ({ deb, control }) => ({
        package: deb.package,
        version: deb.version,
        reason: reasonFor(control, among, installed),
        sha256: deb.sha256,
        content: await readFile(deb.path),
      })),
    );
    context.say(`the image lacks what the build depends on; fetched from its archive: ${result.map((extra) => `${extra.package} ${extra.version} (${extra.reason})`).join(', ')}`);
    return result;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface ImageApt {
  readonly architecture: string;
  readonly status: string;
  readonly sources: readonly { readonly name: string; readonly content: Buffer }[];
}

/** What apt needs to resolve as the image would: its architecture, its dpkg status and its apt sources. */
async function imageApt(instance: Instance, signal: AbortSignal): Promise<ImageApt> {
  const arch = await instance.exec({ command: ['dpkg', '--print-architecture'], timeoutMs: QUERY_TIMEOUT_MS, signal });
  const status = await instance.pull(STATUS_FILE);
  if (arch.exitCode !== 0 || status === undefined) throw new HarnessError('IMAGE_BUILD', `${instance.name} has no working dpkg (${STATUS_FILE} or dpkg --print-architecture), so what it lacks cannot be known`);
  const found = await instance.exec({ command: ['find', ...SOURCE_DIRS, '-maxdepth', '1', '-type', 'f', '(', '-name', 'sources.list', '-o', '-name', '*.list', '-o', '-name', '*.sources', ')'], timeoutMs: QUERY_TIMEOUT_MS, signal });
  const sources = [];
  for (const path of found.stdout.toString('utf8').split('\n').filter((line) => line !== '').sort()) {
    const content = await instance.pull(path);
    // sources.list itself is one-line style; in sources.list.d the extension says which.
    if (content !== undefined) sources.push({ name: path === '/etc/apt/sources.list' ? 'image-sources.list' : basename(path), content });
  }
  if (sources.length === 0) {
    throw new HarnessError('IMAGE_BUILD', `the build needs packages ${instance.name} lacks, and the image names no apt source to fetch them from (${SOURCE_DIRS.join(', ')})`, {
      hint: 'pass them along with the build: --build deb:<build>.deb,<dependency>.deb',
    });
  }
  return { architecture: arch.stdout.toString('utf8').trim(), status: status.toString('utf8'), sources };
}

interface PrivateApt {
  readonly options: readonly string[];
  readonly archives: string;
}

/**
 * A throwaway apt: the image's sources, lists and dpkg status, in a folder of its own, so
 * that neither the host's packages nor its sources take part. The host's apt.conf.d still
 * applies (a proxy, or an archive snapshot's Check-Valid-Until, is the host's to set).
 */
async function privateApt(work: string, image: ImageApt): Promise<PrivateApt> {
  const dirs = { sources: join(work, 'sources.list.d'), preferences: join(work, 'preferences.d'), lists: join(work, 'lists'), cache: join(work, 'cache'), archives: join(work, 'archives') };
  for (const dir of [dirs.sources, dirs.preferences, join(dirs.lists, 'partial'), dirs.cache, join(dirs.archives, 'partial')]) await mkdir(dir, { recursive: true });
  for (const source of image.sources) await writeFile(join(dirs.sources, source.name), source.content);
  await writeFile(join(work, 'status'), image.status);
  await writeFile(join(work, 'extended_states'), '');
  const options = {
    'Dir::Etc::SourceList': '/dev/null',
    'Dir::Etc::SourceParts': dirs.sources,
    'Dir::Etc::Preferences': '/dev/null',
    'Dir::Etc::PreferencesParts': dirs.preferences,
    'Dir::State::Lists': dirs.lists,
    'Dir::State::status': join(work, 'status'),
    'Dir::State::extended_states': join(work, 'extended_states'),
    'Dir::Cache': dirs.cache,
    // A host configured like a container image (no package cache) would otherwise parse the lists anew for each command.
    'Dir::Cache::pkgcache': join(dirs.cache, 'pkgcache.bin'),
    'Dir::Cache::srcpkgcache': join(dirs.cache, 'srcpkgcache.bin'),
    'Dir::Cache::Archives': dirs.archives,
    'APT::Architecture': image.architecture,
    'APT::Architectures': image.architecture,
    // The folder is root's alone; apt's _apt sandbox user could not write into it.
    'APT::Sandbox::User': 'root',
  };
  return { options: Object.entries(options).flatMap(([key, value]) => ['-o', `${key}=${value}`]), archives: dirs.archives };
}

async function runApt(apt: PrivateApt, args: readonly string[], what: string, signal: AbortSignal, hint: () => string): Promise<void> {
  const result = await execa('apt-get', [...apt.options, ...args], { env: C_ENV, reject: false, stdin: 'ignore', all: true, cancelSignal: signal });
  if (signal.aborted) throw new AbortedError('apt-get');
  if (result.exitCode !== 0) throw new HarnessError('IMAGE_BUILD', `${what} failed on the host: ${result.all.trim().slice(-OUTPUT_TAIL_CHARS).replace(/\s*\n\s*/g, ' / ')}`, { hint: hint() });
}

/** The packages `apt-get install -s` would unpack: its `Inst name [old] (new ...)` lines. */
export function simulatedInstalls(output: string): string[] {
  return [...output.matchAll(/^Inst (\S+)/gm)].map((match) => (match[1] ?? '').replace(/:.*$/, ''));
}

/** The fields of a .deb that say what it needs and what it stands in for. */
export interface DebControl {
  readonly package: string;
  readonly depends: string;
  readonly preDepends: string;
  readonly provides: string;
}

async function controlOf(path: string): Promise<DebControl> {
  const fields = parseControlFields((await execa('dpkg-deb', ['--field', path, 'Package', 'Depends', 'Pre-Depends', 'Provides'], { stdin: 'ignore' })).stdout);
  return { package: fields.get('Package') ?? '', depends: fields.get('Depends') ?? '', preDepends: fields.get('Pre-Depends') ?? '', provides: fields.get('Provides') ?? '' };
}

/** deb822 fields of one stanza; a line that starts with a space continues the field before it. */
export function parseControlFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split('\n')) {
    const field = /^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
    if (field?.[1] !== undefined) {
      last = field[1];
      fields.set(last, field[2]?.trim() ?? '');
    } else if (last !== undefined && /^\s+\S/.test(line)) {
      fields.set(last, `${fields.get(last) ?? ''} ${line.trim()}`.trim());
    }
  }
  return fields;
}

/** Installed packages and their versions, from a dpkg status file. */
export function installedVersions(status: string): Map<string, string> {
  const installed = new Map<string, string>();
  for (const stanza of status.split(/\n\s*\n/)) {
    const fields = parseControlFields(stanza);
    const name = fields.get('Package');
    const version = fields.get('Version');
    if (name !== undefined && version !== undefined && fields.get('Status')?.endsWith(' installed')) installed.set(name, version);
  }
  return installed;
}

/**
 * Why an extra package came along: the first package (the build's, then the other
 * extras') whose Pre-Depends or Depends names it or something it provides.
 */
export function reasonFor(extra: DebControl, among: readonly DebControl[], installed: ReadonlyMap<string, string>): string {
  const names = new Set([extra.package, ...parseDependsField(extra.provides).clauses.flatMap((clause) => clause.map((alternative) => alternative.name))]);
  const had = installed.get(extra.package);
  const suffix = had === undefined ? '' : `; the image has ${had}`;
  for (const other of among) {
    if (other.package === extra.package) continue;
    for (const [field, text] of [['Pre-Depends', other.preDepends], ['Depends', other.depends]] as const) {
      const clause = parseDependsField(text).clauses.find((candidate) => candidate.some((alternative) => names.has(alternative.name)));
      if (clause !== undefined) return `${other.package} ${field}: ${formatClause(clause)}${suffix}`;
    }
  }
  return `apt chose it to satisfy the build's dependencies${suffix}`;
}

function tail(result: { readonly stdout: Buffer; readonly stderr: Buffer }): string {
  return `${result.stdout.toString('utf8')}\n${result.stderr.toString('utf8')}`.trim().slice(-OUTPUT_TAIL_CHARS).replace(/\s*\n\s*/g, ' / ');
}

/** How a prepared image carries its extra packages, so that a run reusing it records them too. */
export function extraPackagesProperty(extras: readonly ExtraPackageRecord[]): string {
  return JSON.stringify(extras.map(({ package: name, version, reason }) => ({ package: name, version, reason })));
}

/** The property back; an image made before it existed, or with something else in it, has none to tell. */
export function readExtraPackagesProperty(value: string | undefined): ExtraPackageRecord[] {
  if (value === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (entry): entry is ExtraPackageRecord =>
        typeof entry === 'object' && entry !== null && typeof entry.package === 'string' && typeof entry.version === 'string' && typeof entry.reason === 'string',
    );
  } catch {
    return [];
  }
}
