import { createHash } from 'node:crypto';
import { copyFile, lstat, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HarnessError } from '../../core/errors.js';
import { runTool } from '../../core/host/run-tool.js';
import { sha256File } from '../../core/host/sha256-file.js';
import type { ImageFormat, RootfsArtifact } from '../types.js';

/**
 * Packs a root filesystem into what the qemu driver boots: an ext4 qcow2 disk holding the
 * whole tree, and the kernel and initrd from its /boot handed to qemu (-kernel/-initrd), so
 * the disk needs no partition table or bootloader. mkfs.ext4 -d fills the filesystem from
 * the tree itself: no loop mount, nothing privileged beyond reading the tree.
 */

/** The filesystem is the whole disk; the initramfs mounts it read-write for cloud-init's growpart/resizefs. */
export const KERNEL_COMMAND_LINE = 'root=/dev/vda rw console=ttyS0';

const FILESYSTEM_LABEL = 'cloudimg-rootfs';
const MKFS_OPTIONS = ['-q', '-L', FILESYSTEM_LABEL] as const;
// Uncompressed: a compressed qcow2 is decompressed on every read, and boots slowly under TCG.
const CONVERT_OPTIONS = ['-f', 'raw', '-O', 'qcow2'] as const;

/** Bumped when this file packs differently although the tool options stay the same. */
const PACKING_FORMAT = 1;

export const DISK_PACKING: ImageFormat = {
  property: 'cloudproof.qemu-disk',
  identity: createHash('sha256')
    .update(JSON.stringify({ format: PACKING_FORMAT, mkfs: MKFS_OPTIONS, convert: CONVERT_OPTIONS }))
    .digest('hex'),
};

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const MINIMUM_DISK_BYTES = 3 * GIB;

/** Room for what boots write (logs, apt lists, a case's packages); the file stays sparse, so unused room costs nothing. */
export function diskSizeFor(treeBytes: number): number {
  const wanted = Math.max(treeBytes * 1.5 + GIB, MINIMUM_DISK_BYTES);
  return Math.ceil(wanted / MIB) * MIB;
}

export interface PackedDisk {
  /** The qcow2 disk, in the work dir. */
  readonly disk: string;
  /** Copies of the tree's kernel and initrd, in the work dir, so that all three move into the image store together. */
  readonly kernel: string;
  readonly initrd: string;
  /** The qcow2 file's size. */
  readonly sizeBytes: number;
  /** The image's fingerprint: the sha256 of the qcow2 file. */
  readonly fingerprint: string;
}

export interface PackDiskOptions {
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

const DISK_NAME = 'disk.qcow2';
const RAW_NAME = 'disk.raw';
const KERNEL_NAME = 'vmlinuz';
const INITRD_NAME = 'initrd.img';

/** Writes disk.qcow2, vmlinuz and initrd.img into `workDir` (empty, the caller's to delete). */
export async function packDiskImage(artifact: RootfsArtifact, workDir: string, options: PackDiskOptions = {}): Promise<PackedDisk> {
  if (!(await stat(artifact.dir).catch(() => undefined))?.isDirectory()) {
    throw new HarnessError('IMAGE_NOT_FOUND', `the root filesystem ${artifact.dir} to pack is not a directory`);
  }
  const boot = await bootFiles(artifact.dir);
  const tools = { ...(options.signal ? { signal: options.signal } : {}), ...(options.log ? { log: options.log } : {}) };
  const treeBytes = await treeSize(artifact.dir, options.signal);
  const raw = join(workDir, RAW_NAME);
  const disk = join(workDir, DISK_NAME);
  try {
    await runTool('mkfs.ext4', [...MKFS_OPTIONS, '-d', artifact.dir, raw, `${diskSizeFor(treeBytes) / MIB}M`], {
      ...tools,
      installHint: 'apt-get install e2fsprogs',
    });
    await runTool('qemu-img', ['convert', ...CONVERT_OPTIONS, raw, disk], { ...tools, installHint: 'apt-get install qemu-utils' });
  } finally {
    await rm(raw, { force: true });
  }
  const kernel = join(workDir, KERNEL_NAME);
  const initrd = join(workDir, INITRD_NAME);
  await copyFile(boot.kernel, kernel);
  await copyFile(boot.initrd, initrd);
  return { disk, kernel, initrd, sizeBytes: (await stat(disk)).size, fingerprint: await sha256File(disk) };
}

/** The newest kernel in the tree's /boot and its initrd. */
export async function bootFiles(rootfs: string): Promise<{ readonly kernel: string; readonly initrd: string }> {
  const bootDir = join(rootfs, 'boot');
  const names = await readdir(bootDir).catch(() => [] as string[]);
  // Only regular files: a symlink in the tree points into the guest's paths, not the host's.
  const regular = await Promise.all(names.map(async (name) => ((await lstat(join(bootDir, name))).isFile() ? name : undefined)));
  const files = new Set(regular.filter((name) => name !== undefined));
  const versions = [...files].filter((name) => name.startsWith('vmlinuz-')).map((name) => name.slice('vmlinuz-'.length));
  const newest = versions.sort(compareVersions).at(-1);
  const hint = 'the image needs the packages linux-image-cloud-amd64 and initramfs-tools (add them to its recipe) to boot in qemu';
  if (newest === undefined) throw new HarnessError('IMAGE_BUILD', `the root filesystem ${rootfs} has no kernel (no /boot/vmlinuz-*)`, { hint });
  if (!files.has(`initrd.img-${newest}`)) {
    throw new HarnessError('IMAGE_BUILD', `the root filesystem ${rootfs} has kernel ${newest} but no /boot/initrd.img-${newest}`, { hint });
  }
  return { kernel: join(bootDir, `vmlinuz-${newest}`), initrd: join(bootDir, `initrd.img-${newest}`) };
}

/** As `sort -V` orders kernel versions: digit runs by value, so 6.1.0-10 comes after 6.1.0-9. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(/(\d+)/);
  const right = b.split(/(\d+)/);
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const x = left[index] ?? '';
    const y = right[index] ?? '';
    if (x === y) continue;
    // split with a capture group puts digit runs at odd indexes.
    if (index % 2 === 1 && x !== '' && y !== '') return Number(x) - Number(y) || (x < y ? -1 : 1);
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Blocks the tree uses, hard links once, as the filesystem built from it will need. */
async function treeSize(dir: string, signal: AbortSignal | undefined): Promise<number> {
  const output = await runTool('du', ['-s', '-B1', dir], { ...(signal ? { signal } : {}), installHint: 'apt-get install coreutils' });
  return Number.parseInt(output, 10);
}

