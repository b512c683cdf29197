import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { execa } from 'execa';
import { AbortedError, HarnessError } from '../../core/errors.js';
import { runTool } from '../../core/host/run-tool.js';
import type { PrebootFile } from '../types.js';

/**
 * Writes LaunchSpec.files into a VM's disk before qemu first starts it, without mounting
 * it: debugfs edits an ext4 filesystem in a file (no loop device, nothing privileged), as
 * root of the guest with the mode asked. debugfs needs a raw image, so the overlay makes a
 * round trip: converted to raw, written, converted back.
 */

/** Where the root filesystem starts on today's disks: disk-image.ts makes the filesystem the whole disk. */
export const ROOT_FILESYSTEM_OFFSET = 0;

const DEFAULT_MODE = 0o644;
const REGULAR_FILE = 0o100000;
const INSTALL_HINT = 'apt-get install e2fsprogs qemu-utils';
/** debugfs prints its version on stderr on every run, errors or not. */
const BANNER = /^debugfs \d[\d.]*(?:-\S+)? \(.*\)$/;
/** What debugfs's argument parser would split or mangle. */
const UNSAFE_PATH_CHARACTER = /[\s"'\\]/;

/**
 * Replaces the qcow2 `disk` by a qcow2 holding the same data plus the files. The result
 * stands alone (no backing file): qemu-img convert copies every allocated block of a raw
 * source, so it cannot write only what differs from the backing image; the cost, measured
 * here for the 485 MiB bookworm image, is about 3.5 s and one copy of the image per launch
 * that has files.
 */
export async function writePrebootFiles(disk: string, files: readonly PrebootFile[], signal?: AbortSignal): Promise<void> {
  if (files.length === 0) return;
  for (const file of files) checkGuestPath(file.path);
  const work = await mkdtemp(join(dirname(disk), 'preboot-'));
  const tools = { installHint: INSTALL_HINT, errorCode: 'PLATFORM_API' as const, ...(signal === undefined ? {} : { signal }) };
  try {
    const raw = join(work, 'disk.raw');
    const written = join(work, 'disk.qcow2');
    await runTool('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', disk, raw], tools);
    await putFilesIntoExt4(raw, ROOT_FILESYSTEM_OFFSET, files, work, signal);
    await runTool('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, written], tools);
    await rename(written, disk);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Writes each file into the ext4 filesystem that starts `offsetBytes` into the raw image
 * (a partition of a partitioned disk), replacing a file already there; `scratch` is a
 * folder of the caller's for the contents on their way in.
 */
export async function putFilesIntoExt4(image: string, offsetBytes: number, files: readonly PrebootFile[], scratch: string, signal?: AbortSignal): Promise<void> {
  const device = `${image}?offset=${offsetBytes}`;
  for (const [index, file] of files.entries()) {
    checkGuestPath(file.path);
    const parent = await inodeType(device, posix.dirname(file.path), signal);
    if (parent !== 'directory') {
      throw new HarnessError('PLATFORM_API', `cannot put ${file.path} into the VM's disk before its first boot: ${posix.dirname(file.path)} ${parent === undefined ? 'does not exist' : 'is not a directory'} in the image`, {
        hint: 'give only files whose directory the image has',
      });
    }
    const existing = await inodeType(device, file.path, signal);
    if (existing === 'directory') {
      throw new HarnessError('PLATFORM_API', `cannot put a file at ${file.path} before the VM's first boot: the image has a directory there`, { hint: 'give a path that is a file, or none, in the image' });
    }
    if (existing !== undefined) await debugfs(device, `rm ${file.path}`, { writable: true, signal });
    const content = join(scratch, `preboot-${index}`);
    await writeFile(content, file.content);
    for (const request of writeRequests(content, file.path, file.mode ?? DEFAULT_MODE)) await debugfs(device, request, { writable: true, signal });
  }
}

/** The debugfs requests that create the file from `source` and make it root's with `mode`. */
export function writeRequests(source: string, path: string, mode: number): readonly string[] {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new HarnessError('INTERNAL', `${mode} is not a file mode (0 to 0o7777)`);
  return [`write ${source} ${path}`, `set_inode_field ${path} mode 0${(REGULAR_FILE | mode).toString(8)}`, `set_inode_field ${path} uid 0`, `set_inode_field ${path} gid 0`];
}

export function checkGuestPath(path: string): void {
  if (!posix.isAbsolute(path) || posix.normalize(path) !== path || path === '/' || path.endsWith('/') || UNSAFE_PATH_CHARACTER.test(path)) {
    throw new HarnessError('NOT_SUPPORTED', `the qemu platform cannot put a file at "${path}" before the first boot`, {
      hint: 'give an absolute, normalized path to a file, without whitespace, quotes or backslashes',
    });
  }
}

/** What debugfs said went wrong: its stderr without the banner, or undefined when it said nothing else. */
export function debugfsComplaint(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !BANNER.test(line));
  return lines.length === 0 ? undefined : lines.join(' / ');
}

/** `stat`'s "Type:" for the path, or undefined when the filesystem has nothing there. */
export function inodeTypeOf(statOutput: string): string | undefined {
  return /^Inode: \d+\s+Type: (\S+)/m.exec(statOutput)?.[1];
}

async function inodeType(device: string, path: string, signal: AbortSignal | undefined): Promise<string | undefined> {
  const { stdout, complaint } = await runDebugfs(device, `stat ${path}`, { writable: false, signal });
  if (complaint !== undefined && /File not found by ext2_lookup/.test(complaint)) return undefined;
  if (complaint !== undefined) throw debugfsError(device, `stat ${path}`, complaint);
  const type = inodeTypeOf(stdout);
  if (type === undefined) throw debugfsError(device, `stat ${path}`, `no inode type in its output: ${stdout.slice(0, 200)}`);
  return type;
}

interface DebugfsOptions {
  readonly writable: boolean;
  readonly signal: AbortSignal | undefined;
}

/** One request, which must succeed: debugfs exits 0 on most errors, so its stderr is what says. */
async function debugfs(device: string, request: string, options: DebugfsOptions): Promise<void> {
  const { complaint } = await runDebugfs(device, request, options);
  if (complaint !== undefined) throw debugfsError(device, request, complaint);
}

async function runDebugfs(device: string, request: string, options: DebugfsOptions): Promise<{ readonly stdout: string; readonly complaint: string | undefined }> {
  const result = await execa('debugfs', [...(options.writable ? ['-w'] : []), '-R', request, device], { reject: false, stdin: 'ignore', cancelSignal: options.signal });
  if (result.isCanceled || options.signal?.aborted) throw new AbortedError(`debugfs ${request}`);
  if (result.code === 'ENOENT') throw new HarnessError('SETUP', 'debugfs is not installed', { hint: INSTALL_HINT });
  const complaint = debugfsComplaint(result.stderr);
  if (result.exitCode !== 0) throw debugfsError(device, request, complaint ?? `exit ${result.exitCode ?? result.signal}`);
  return { stdout: result.stdout, complaint };
}

function debugfsError(device: string, request: string, complaint: string): HarnessError {
  return new HarnessError('PLATFORM_API', `debugfs "${request}" on ${device} failed: ${complaint}`, {
    hint: 'check that the image is an ext4 filesystem that was shut down cleanly (e2fsck -n on a raw copy says)',
  });
}
