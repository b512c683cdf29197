import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, ExecaError } from 'execa';
import { aptInstall, findExecutable, isDebianLike, isRoot } from '../../core/host/packages.js';
import { AbortedError, HarnessError, UsageError } from '../../core/errors.js';
import { formatClause, namesOf, parseDependsField, parseUnmetList, type Clause } from './depends.js';

/**
 * The build dependencies of a source tree, asked of the tree itself and installed on the
 * host when missing. An upstream checkout names its own with tools/read-dependencies
 * (packages/bddeb renders them into the debian/control it generates, so `apt-get build-dep`
 * on the tree cannot work); a Debian source tree names them in debian/control.
 */
export type SourceMethod = 'dpkg-buildpackage' | 'bddeb';

export interface HostContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
}

/** Debian's interpreter, the one apt installs python3-* modules for; a pyenv or venv python3 earlier in PATH has none of them. */
const DEBIAN_PYTHON = '/usr/bin/python3';

/** Build profiles for the dependency check and the build alike: a `<!nocheck>` test dependency is then not needed. */
export const BUILD_PROFILES = 'nocheck';

/** What each method runs besides what the tree names: bddeb calls debuild and git, and is itself python3. */
const METHOD_TOOLS: Readonly<Record<SourceMethod, readonly string[]>> = {
  'dpkg-buildpackage': [],
  bddeb: ['python3', 'devscripts', 'fakeroot', 'git'],
};

const READ_DEPENDENCIES = join('tools', 'read-dependencies');
const CONTROL = join('debian', 'control');
const C_ENV = { LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' };
const OUTPUT_TAIL_LINES = 4;

/** Where a tree's build dependencies come from, for the lines a person reads. */
function dependencySource(method: SourceMethod): string {
  return method === 'bddeb' ? READ_DEPENDENCIES : CONTROL;
}

/** Cheap, before anything is contacted: the tree has the file that names its build dependencies, and it names some. */
export async function checkDependencySource(dir: string, method: SourceMethod): Promise<void> {
  if (method === 'bddeb') {
    const script = join(dir, READ_DEPENDENCIES);
    if (!existsSync(script)) throw new UsageError(`--build source: ${dir} has packages/bddeb but no ${READ_DEPENDENCIES} to name its build dependencies`, `look at ${script}`);
    return;
  }
  const control = join(dir, CONTROL);
  if (!/^Build-Depends(-Indep|-Arch)?:/im.test(await readFile(control, 'utf8'))) {
    throw new UsageError(`--build source: ${control} names no Build-Depends`, `look at ${control}: dpkg-buildpackage needs the build dependencies listed there`);
  }
}

/**
 * Installs what the build of `dir` needs and the host lacks, saying what and why in one
 * line. A dependency that no archive apt knows has is the tree's problem, not the
 * host's: a usage error naming it, before anything was installed or launched.
 */
export async function ensureBuildDepends(dir: string, method: SourceMethod, context: HostContext): Promise<void> {
  await ensureCheckTools(method, context);
  const tools = METHOD_TOOLS[method];
  const treeClauses = method === 'bddeb' ? await readDependencies(dir, context) : undefined;
  const toolClauses: Clause[] = tools.map((name) => [{ name, arch: undefined, version: undefined }]);
  const unmet = await unmetBuildDepends(dir, treeClauses === undefined ? undefined : [...toolClauses, ...treeClauses], context);
  if (unmet.length === 0) return;
  const isTool = (clause: Clause): boolean => clause.length === 1 && tools.includes(clause[0]?.name ?? '');
  const origin = (clauses: readonly Clause[]): string => (clauses.every(isTool) ? `to run ${method === 'bddeb' ? 'packages/bddeb' : method}` : `named by ${dependencySource(method)}`);
  const listed = (clauses: readonly Clause[]): string | undefined => (clauses.length === 0 ? undefined : `${clauses.map(formatClause).join(', ')} (${origin(clauses)})`);
  const what = [listed(unmet.filter((clause) => !isTool(clause))), listed(unmet.filter(isTool))].filter((part) => part !== undefined).join('; ');
  const satisfy = unmet.map(formatClause).join(', ');
  if (!(await isDebianLike()) || !isRoot()) {
    throw new HarnessError('SETUP', `building ${dir} needs ${what}, which this host does not have`, { hint: `install them as root: apt-get satisfy '${satisfy}'` });
  }
  context.log(`installing the build dependencies of ${dir} this host lacks: ${what}`);
  await apt(['update'], context, 'apt-get update');
  const installed = await execa('apt-get', ['satisfy', '-y', '--no-install-recommends', satisfy], { env: C_ENV, reject: false, stdin: 'ignore', all: true, cancelSignal: context.signal });
  if (context.signal.aborted) throw new AbortedError('apt-get satisfy');
  if (installed.exitCode === 0) return;
  const unavailable = await unavailableClauses(unmet, context);
  if (unavailable.length > 0) {
    throw new UsageError(
      `${dir} needs ${unavailable.map(formatClause).join(', ')} to build, which no archive this host's apt knows has (${origin(unavailable)})`,
      method === 'bddeb'
        ? 'drop it from the tree\'s dependencies (tools/read-dependencies reads requirements.txt, test-requirements.txt and packages/pkg-deps.json), or add an apt source that has it and run apt-get update'
        : `drop it from the Build-Depends of ${join(dir, CONTROL)}, or add an apt source that has it and run apt-get update`,
    );
  }
  throw new HarnessError('SETUP', `installing the build dependencies of ${dir} failed: ${tail(installed.all)}`, { hint: `run it by hand to see the whole output: apt-get satisfy '${satisfy}'` });
}

/** dpkg-checkbuilddeps reads what is installed; python3 runs tools/read-dependencies. Both before anything else can be asked. */
async function ensureCheckTools(method: SourceMethod, context: HostContext): Promise<void> {
  const missing = [
    (await findExecutable('dpkg-checkbuilddeps', context.env)) === undefined ? 'dpkg-dev' : undefined,
    method === 'bddeb' && !existsSync(DEBIAN_PYTHON) ? 'python3' : undefined,
  ].filter((name): name is string => name !== undefined);
  if (missing.length === 0) return;
  if (!(await isDebianLike()) || !isRoot()) {
    throw new HarnessError('SETUP', `reading the build dependencies of a source tree needs ${missing.join(' and ')}, which are not installed`, { hint: `install them as root: apt-get install -y ${missing.join(' ')}` });
  }
  await aptInstall(missing, { log: context.log, signal: context.signal });
}

/**
 * tools/read-dependencies asked as packages/bddeb asks it when it renders the control
 * file: once for the distro's build and runtime packages (requirements.txt and
 * packages/pkg-deps.json), once for the test requirements by plain Debian names (the
 * build depends on them too, nocheck or not). Asking any other way would name packages
 * the generated control file does not, or miss ones it does.
 */
async function readDependencies(dir: string, context: HostContext): Promise<readonly Clause[]> {
  const script = join(dir, READ_DEPENDENCIES);
  const clauses: Clause[] = [];
  for (const args of [['--distro', 'debian'], ['--requirements-file', 'test-requirements.txt', '--system-pkg-names']]) {
    const result = await execa(DEBIAN_PYTHON, [script, ...args], { cwd: dir, env: C_ENV, reject: false, stdin: 'ignore', cancelSignal: context.signal });
    if (context.signal.aborted) throw new AbortedError(READ_DEPENDENCIES);
    const byHand = `run it by hand: cd ${dir} && ${DEBIAN_PYTHON} ${[READ_DEPENDENCIES, ...args].join(' ')}`;
    if (result.exitCode !== 0) throw new UsageError(`${script} ${args.join(' ')} failed (exit ${result.exitCode}): ${tail(`${result.stdout}\n${result.stderr}`)}`, byHand);
    const read = parseReadDependencies(result.stdout);
    if (read.unreadable.length > 0) throw new UsageError(`${script} printed what is not a package name: ${read.unreadable.slice(0, 3).map((line) => JSON.stringify(line)).join(', ')}`, byHand);
    clauses.push(...read.clauses);
  }
  if (clauses.length === 0) throw new UsageError(`${script} names no build dependencies for debian`, `look at ${script} and packages/pkg-deps.json`);
  return clauses;
}

/** read-dependencies prints one package per line; each line is a clause, as it goes into the control file bddeb generates. */
export function parseReadDependencies(output: string): { readonly clauses: readonly Clause[]; readonly unreadable: readonly string[] } {
  return parseDependsField(output.replaceAll('\n', ','));
}

/**
 * The clauses this host does not satisfy, as dpkg-checkbuilddeps judges them (with the
 * implicit build-essential and the nocheck profile): the given ones, or, without any,
 * those of the tree's debian/control.
 */
async function unmetBuildDepends(dir: string, clauses: readonly Clause[] | undefined, context: HostContext): Promise<Clause[]> {
  // `-d` with /dev/null as the control file checks the given clauses and nothing else.
  const args = clauses === undefined ? [] : ['-d', clauses.map(formatClause).join(', '), '/dev/null'];
  const result = await execa('dpkg-checkbuilddeps', args, { cwd: dir, env: { ...C_ENV, DEB_BUILD_PROFILES: BUILD_PROFILES }, reject: false, stdin: 'ignore', all: true, cancelSignal: context.signal });
  if (context.signal.aborted) throw new AbortedError('dpkg-checkbuilddeps');
  if (result.exitCode === 0) return [];
  const conflicts = /Build conflicts: (.*)$/m.exec(result.all)?.[1];
  if (conflicts !== undefined) {
    throw new HarnessError('SETUP', `${dir} cannot be built while ${conflicts} is installed (its build conflicts)`, { hint: `remove it first: apt-get remove ${conflicts}` });
  }
  const unmet = /Unmet build dependencies: (.*)$/m.exec(result.all)?.[1];
  if (unmet === undefined) {
    throw new UsageError(`dpkg-checkbuilddeps cannot read the build dependencies of ${dir}: ${tail(result.all)}`, `look at ${join(dir, clauses === undefined ? CONTROL : READ_DEPENDENCIES)}`);
  }
  return parseUnmetList(unmet);
}

/**
 * Which of the clauses no archive can satisfy. A clause none of whose alternatives has an
 * install candidate is a suspect; apt then judges each suspect alone, because a name
 * without a candidate of its own may still be provided by another package
 * (debhelper-compat by debhelper).
 */
async function unavailableClauses(clauses: readonly Clause[], context: HostContext): Promise<Clause[]> {
  const names = [...new Set(clauses.flatMap(namesOf))];
  const policy = await execa('apt-cache', ['policy', ...names], { env: C_ENV, reject: false, stdin: 'ignore', cancelSignal: context.signal });
  const candidates = parsePolicyCandidates(policy.stdout);
  const suspects = clauses.filter((clause) => namesOf(clause).every((name) => candidates.get(name) === undefined));
  const unavailable: Clause[] = [];
  for (const clause of suspects) {
    const alone = await execa('apt-get', ['satisfy', '-s', formatClause(clause)], { env: C_ENV, reject: false, stdin: 'ignore', cancelSignal: context.signal });
    if (context.signal.aborted) throw new AbortedError('apt-get satisfy');
    if (alone.exitCode !== 0) unavailable.push(clause);
  }
  return unavailable;
}

/** `apt-cache policy a b`: a block per package it knows (`a:` then `  Candidate: 1.0` or `(none)`); nothing for one it does not. */
export function parsePolicyCandidates(output: string): Map<string, string | undefined> {
  const candidates = new Map<string, string | undefined>();
  let current: string | undefined;
  for (const line of output.split('\n')) {
    const header = /^(\S+):$/.exec(line);
    if (header !== null) {
      current = header[1];
      if (current !== undefined) candidates.set(current, undefined);
      continue;
    }
    const candidate = /^\s+Candidate: (\S+)$/.exec(line)?.[1];
    if (current !== undefined && candidate !== undefined) candidates.set(current, candidate === '(none)' ? undefined : candidate);
  }
  return candidates;
}

async function apt(args: readonly string[], context: HostContext, what: string): Promise<void> {
  try {
    await execa('apt-get', args, { env: C_ENV, stdin: 'ignore', all: true, cancelSignal: context.signal });
  } catch (error) {
    if (context.signal.aborted) throw new AbortedError(what);
    const output = error instanceof ExecaError && typeof error.all === 'string' ? error.all : String(error);
    throw new HarnessError('SETUP', `${what} failed: ${tail(output)}`, { hint: `run it by hand: apt-get ${args.join(' ')}`, cause: error });
  }
}

function tail(output: string): string {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-OUTPUT_TAIL_LINES)
    .join(' / ');
}
