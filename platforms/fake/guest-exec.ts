import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecResult, ExecSpec } from '../types.js';
import type { FakeGuest } from './guest.js';
import { harvestArchive } from './harvest.js';

type Handler = (guest: FakeGuest, args: readonly string[], spec: ExecSpec, signal: AbortSignal) => ExecResult | Promise<ExecResult> | undefined;

interface Command {
  /** The argv the command starts with. */
  readonly prefix: readonly string[];
  /** How many arguments follow it: a number, or `some` for one or more. */
  readonly takes: number | 'some';
  /** Undefined when the arguments are not ones this command knows (then: command not found). */
  readonly run: Handler;
}

/**
 * The fake guest has no shell: exec matches the whole argv against this vocabulary.
 * `true`, `false`, `id -u`, `cat` (stdin back), `cat PATH`, `sh -c 'exit N'`, `sh -s`
 * (the harvest, see harvest.ts), `sleep N`, `stat -c FORMAT PATH`, `mkdir -p PATH...`, `rm -f PATH...`,
 * `cloud-init status --wait` (`disabled` while /etc/cloud/cloud-init.disabled exists), `cloud-init query userdata|vendordata|ds.meta_data.KEY`,
 * `systemctl stop ssh` (no effect). Any other script or command is a test's to answer
 * with FakePlatform's onExec. ExecSpec.cwd resolves relative paths; env is not read.
 */
const COMMANDS: readonly Command[] = [
  { prefix: ['true'], takes: 0, run: () => exited(0) },
  { prefix: ['false'], takes: 0, run: () => exited(1) },
  { prefix: ['id', '-u'], takes: 0, run: () => printed('0\n') },
  { prefix: ['cat'], takes: 0, run: (_guest, _args, spec) => printed(Buffer.from(spec.stdin ?? '')) },
  { prefix: ['cat'], takes: 1, run: (guest, [path = ''], spec) => cat(guest, inCwd(path, spec)) },
  { prefix: ['sh', '-c'], takes: 1, run: (_guest, [script = '']) => exitScript(script) },
  { prefix: ['sh', '-s'], takes: 0, run: (guest) => (guest.behaviour.harvestFails ? exited(1, 'fake: the harvest shell died\n') : printed(harvestArchive(guest))) },
  { prefix: ['sleep'], takes: 1, run: (_guest, [seconds = ''], _spec, signal) => sleepFor(seconds, signal) },
  { prefix: ['stat', '-c'], takes: 2, run: (guest, [format = '', path = ''], spec) => stat(guest, format, inCwd(path, spec)) },
  { prefix: ['mkdir', '-p'], takes: 'some', run: (guest, paths, spec) => mkdir(guest, paths.map((path) => inCwd(path, spec))) },
  { prefix: ['rm', '-f'], takes: 'some', run: (guest, paths, spec) => removeFiles(guest, paths.map((path) => inCwd(path, spec))) },
  { prefix: ['cloud-init', 'status', '--wait'], takes: 0, run: (guest, _args, _spec, signal) => cloudInitStatus(guest, signal) },
  { prefix: ['cloud-init', 'query'], takes: 1, run: (guest, [key = '']) => cloudInitQuery(guest, key) },
  { prefix: ['systemctl', 'stop', 'ssh'], takes: 0, run: () => exited(0) },
];

/** Exit 127 for anything outside the vocabulary, as a shell says of a command it cannot find. */
export async function runGuestCommand(guest: FakeGuest, spec: ExecSpec, signal: AbortSignal): Promise<ExecResult> {
  const argv = spec.command;
  for (const command of COMMANDS) {
    const args = argv.slice(command.prefix.length);
    const fits = command.prefix.every((word, index) => argv[index] === word) && (command.takes === 'some' ? args.length > 0 : args.length === command.takes);
    const result = fits ? await command.run(guest, args, spec, signal) : undefined;
    if (result !== undefined) return result;
  }
  return { exitCode: 127, stdout: Buffer.alloc(0), stderr: Buffer.from(`fake: command not found: ${argv.join(' ')}\n`) };
}

function exited(exitCode: number, stderr = ''): ExecResult {
  return { exitCode, stdout: Buffer.alloc(0), stderr: Buffer.from(stderr) };
}

function printed(stdout: Buffer | string, exitCode = 0): ExecResult {
  return { exitCode, stdout: Buffer.from(stdout), stderr: Buffer.alloc(0) };
}

/** ExecSpec.cwd resolves a relative path, `/` when unset, as a login shell would. */
function inCwd(path: string, spec: ExecSpec): string {
  return posix.resolve(spec.cwd ?? '/', path);
}

function cat(guest: FakeGuest, path: string): ExecResult {
  const found = guest.files.stat(path);
  if (found === undefined) return exited(1, `cat: ${path}: No such file or directory\n`);
  if (found.kind === 'directory') return exited(1, `cat: ${path}: Is a directory\n`);
  return printed(guest.files.read(path) ?? Buffer.alloc(0));
}

function exitScript(script: string): ExecResult | undefined {
  const match = /^\s*exit(?:\s+(\d+))?\s*;?\s*$/.exec(script);
  return match === null ? undefined : exited(Number(match[1] ?? 0) % 256);
}

async function sleepFor(seconds: string, signal: AbortSignal): Promise<ExecResult> {
  if (!/^\d+(\.\d+)?$/.test(seconds)) return exited(1, `sleep: invalid time interval '${seconds}'\n`);
  await sleep(Number(seconds) * 1000, undefined, { signal });
  return exited(0);
}

/** GNU stat's %a (octal mode), %u, %g, %s and %n; the rest of the format is printed as it is. */
function stat(guest: FakeGuest, format: string, path: string): ExecResult {
  const found = guest.files.stat(path);
  if (found === undefined) return exited(1, `stat: cannot statx '${path}': No such file or directory\n`);
  const fields: Readonly<Record<string, string>> = { a: found.mode.toString(8), u: String(found.uid), g: String(found.gid), s: String(found.size), n: path, '%': '%' };
  return printed(`${format.replace(/%(.)/g, (whole, field: string) => fields[field] ?? whole)}\n`);
}

function removeFiles(guest: FakeGuest, paths: readonly string[]): ExecResult {
  for (const path of paths) {
    if (guest.files.stat(path)?.kind === 'directory') return exited(1, `rm: cannot remove '${path}': Is a directory\n`);
    guest.files.remove(path);
  }
  return exited(0);
}

function mkdir(guest: FakeGuest, paths: readonly string[]): ExecResult {
  for (const path of paths) {
    const blocker = guest.files.makeDirectory(path);
    if (blocker !== undefined) return exited(1, `mkdir: cannot create directory '${path}': ${blocker} is not a directory\n`);
  }
  return exited(0);
}

/** As cloud-init 22.4 exits: 1 when the status is `error`, 0 otherwise. */
async function cloudInitStatus(guest: FakeGuest, signal: AbortSignal): Promise<ExecResult> {
  await guest.cloudInitDone(signal);
  const status = guest.cloudInitDisabled ? 'disabled' : (guest.behaviour.status ?? 'done');
  return printed(`status: ${status}\n`, status === 'error' ? 1 : 0);
}

/** `userdata`, `vendordata` and `ds.meta_data.<key>` (a dash in a key may be written `_`, as cloud-init allows). */
function cloudInitQuery(guest: FakeGuest, key: string): ExecResult {
  if (key === 'userdata') return printed(guest.userData);
  if (key === 'vendordata') return printed(guest.vendorData ?? '');
  const metaKey = /^ds\.meta_data\.(.+)$/.exec(key)?.[1];
  const name = metaKey === undefined ? undefined : [metaKey, metaKey.replace(/_/g, '-')].find((candidate) => Object.hasOwn(guest.metaData, candidate));
  if (name === undefined) return exited(1, `ERROR: Undefined instance-data key: ${key}\n`);
  const value = guest.metaData[name];
  return printed(`${typeof value === 'string' ? value : JSON.stringify(value, null, 1)}\n`);
}
