import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { execa, ExecaError } from 'execa';
import { aptInstall, findExecutable, isDebianLike, isRoot } from '../host/packages.js';
import { AbortedError, HarnessError, UsageError } from '../errors.js';

/**
 * `--build source:<dir>`: a tree is built on the host the way its own packaging does it,
 * then treated as the .deb(s) it produced. A tree with debian/ (Debian's source package,
 * `apt-get source cloud-init`) is built with dpkg-buildpackage; an upstream git checkout
 * with packages/bddeb with that script, which derives the version from git.
 */
export type SourceMethod = 'dpkg-buildpackage' | 'bddeb';

type Env = Readonly<Record<string, string | undefined>>;

export interface SourceBuildOptions {
  readonly env: Env;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
}

/**
 * The executables each method runs, and the Debian package that ships each. A debian/ tree
 * then gets the rest of its Build-Depends from apt (cloud-init's build imports cloudinit
 * itself, so its runtime modules are needed too); bddeb checks its own.
 */
const TOOLS: Readonly<Record<SourceMethod, Readonly<Record<string, string>>>> = {
  'dpkg-buildpackage': { 'dpkg-buildpackage': 'dpkg-dev', dh: 'debhelper', dh_python3: 'dh-python', po2debconf: 'po-debconf' },
  bddeb: { 'dpkg-buildpackage': 'dpkg-dev', dh: 'debhelper', dh_python3: 'dh-python', po2debconf: 'po-debconf', debuild: 'devscripts', fakeroot: 'fakeroot', git: 'git' },
};
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };

/** Cloud-init's unit tests take minutes and need more packages; the integration tests are what this run is for. */
const BUILD_ENV = { DEB_BUILD_OPTIONS: 'nocheck' };

const OUTPUT_TAIL_LINES = 3;

/** Cheap: says which method builds `dir`, or why it cannot be built. Runs before anything is launched. */
export async function checkSourceTree(dir: string): Promise<SourceMethod> {
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
    throw new UsageError(`--build source: ${dir} is not a folder`, 'give a cloud-init source tree (a git checkout, or `apt-get source cloud-init`)');
  }
  if (existsSync(join(dir, 'debian', 'control'))) return 'dpkg-buildpackage';
  if (existsSync(join(dir, 'packages', 'bddeb'))) {
    if (!existsSync(join(dir, '.git'))) {
      throw new UsageError(`--build source: ${dir} has packages/bddeb but is not a git checkout`, 'bddeb derives the version from git: use a clone, or a tree with debian/');
    }
    return 'bddeb';
  }
  throw new UsageError(`--build source: ${dir} has neither debian/control nor packages/bddeb`, 'give the top of a cloud-init tree');
}

/** Builds the tree and returns the absolute paths of the .debs it produced. */
export async function buildSourceTree(dir: string, method: SourceMethod, options: SourceBuildOptions): Promise<string[]> {
  await ensureTools(method, options);
  options.log(`building ${dir} with ${method} (DEB_BUILD_OPTIONS=nocheck)`);
  if (method === 'dpkg-buildpackage') {
    await ensureBuildDepends(dir, options);
    await run('dpkg-buildpackage', ['-b', '-uc', '-us'], dir, options);
    return debsInChanges(await changesFile(dir, options));
  }
  const output = await run(join(dir, 'packages', 'bddeb'), [], dir, options);
  // bddeb moves each file it made into its cwd and says so: `Wrote 'cloud-init_24.1-1~bddeb_all.deb'`.
  const written = [...output.matchAll(/^Wrote '([^']+\.deb)'$/gm)].map((match) => resolve(dir, match[1] ?? ''));
  if (written.length === 0) throw new HarnessError('IMAGE_BUILD', `packages/bddeb in ${dir} finished without saying which .deb it wrote`);
  return written;
}

/** Where dpkg-buildpackage -b puts its .changes: beside the tree, named by source, version (no epoch) and host architecture. */
async function changesFile(dir: string, options: SourceBuildOptions): Promise<string> {
  const source = (await run('dpkg-parsechangelog', ['-S', 'Source'], dir, options)).trim();
  const version = (await run('dpkg-parsechangelog', ['-S', 'Version'], dir, options)).trim().replace(/^\d+:/, '');
  const arch = (await run('dpkg-architecture', ['-qDEB_HOST_ARCH'], dir, options)).trim();
  return resolve(dir, '..', `${source}_${version}_${arch}.changes`);
}

/**
 * The .debs the build made, as its .changes lists them (`Files:` lines end in the name).
 * Reading them there, rather than globbing, never picks up a stale .deb of an earlier build.
 */
async function debsInChanges(changes: string): Promise<string[]> {
  const text = await readFile(changes, 'utf8').catch(() => undefined);
  if (text === undefined) throw new HarnessError('IMAGE_BUILD', `dpkg-buildpackage finished but wrote no ${changes}`);
  const files = /^Files:\n((?: .*\n?)*)/m.exec(text)?.[1] ?? '';
  const debs = files.split('\n').map((line) => line.trim().split(/\s+/).at(-1) ?? '').filter((name) => name.endsWith('.deb'));
  if (debs.length === 0) throw new HarnessError('IMAGE_BUILD', `${changes} lists no .deb`);
  return debs.map((name) => resolve(dirname(changes), name));
}

async function ensureTools(method: SourceMethod, options: SourceBuildOptions): Promise<void> {
  const missing: string[] = [];
  for (const [tool, pkg] of Object.entries(TOOLS[method])) {
    if ((await findExecutable(tool, options.env)) === undefined && !missing.includes(pkg)) missing.push(pkg);
  }
  if (missing.length === 0) return;
  if (!(await isDebianLike()) || !isRoot()) {
    throw new HarnessError('SETUP', `building with ${method} needs ${missing.join(', ')}, which are not installed`, {
      hint: `install them as root: apt-get install -y ${missing.join(' ')}`,
    });
  }
  await aptInstall(missing, { log: options.log, signal: options.signal });
}

/** `apt-get build-dep` reads debian/control from the tree itself; only when dpkg says something is missing. */
async function ensureBuildDepends(dir: string, options: SourceBuildOptions): Promise<void> {
  const check = await execa('dpkg-checkbuilddeps', [], { cwd: dir, reject: false, stdin: 'ignore', all: true, cancelSignal: options.signal });
  if (check.exitCode === 0) return;
  if (options.signal.aborted) throw new AbortedError('dpkg-checkbuilddeps');
  const hint = `install them as root: apt-get build-dep -y ${dir}`;
  if (!(await isDebianLike()) || !isRoot()) throw new HarnessError('SETUP', `${dir} needs build dependencies that are not installed: ${check.all.trim()}`, { hint });
  options.log(`apt-get build-dep -y ${dir}`);
  const installed = await execa('apt-get', ['build-dep', '-y', dir], { env: APT_ENV, reject: false, stdin: 'ignore', all: true, cancelSignal: options.signal });
  if (options.signal.aborted) throw new AbortedError('apt-get build-dep');
  if (installed.exitCode !== 0) {
    throw new HarnessError('SETUP', `installing the build dependencies of ${dir} failed: ${installed.all.trim().split('\n').slice(-OUTPUT_TAIL_LINES).join(' / ')}`, { hint });
  }
}

async function run(file: string, args: readonly string[], cwd: string, options: SourceBuildOptions): Promise<string> {
  try {
    const result = await execa(file, args, { cwd, env: BUILD_ENV, stdin: 'ignore', all: true, cancelSignal: options.signal });
    return result.all;
  } catch (error) {
    if (error instanceof ExecaError && (error.isCanceled || options.signal.aborted)) throw new AbortedError(file);
    const all = error instanceof ExecaError && typeof error.all === 'string' ? error.all : String(error);
    const tail = all.split('\n').filter((line) => line.trim() !== '').slice(-OUTPUT_TAIL_LINES).join(' / ');
    throw new HarnessError('IMAGE_BUILD', `${file} failed in ${cwd}: ${tail}`, {
      hint: /Unmet build dependencies/.test(all) ? `install them with: apt-get build-dep -y ${cwd}` : `run it by hand in ${cwd} to see the whole output`,
      cause: error,
    });
  }
}

