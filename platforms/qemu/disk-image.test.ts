import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chown, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { HarnessError } from '../../core/errors.js';
import type { RootfsArtifact } from '../types.js';
import { bootFiles, compareVersions, diskSizeFor, DISK_PACKING, packDiskImage } from './disk-image.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

describe('@e2e qemu disk image', () => {
  let rootfs: string;
  let workDir: string;
  const artifact = (): RootfsArtifact => ({
    kind: 'rootfs',
    dir: rootfs,
    architecture: 'amd64',
    os: 'debian',
    release: 'bookworm',
    description: 'Debian bookworm with cloud-init (test)',
  });

  beforeEach(async () => {
    rootfs = await mkdtemp(join(tmpdir(), 'cloudproof-tree-'));
    workDir = await mkdtemp(join(tmpdir(), 'cloudproof-disk-'));
    await mkdir(join(rootfs, 'boot'));
    await mkdir(join(rootfs, 'etc/cloud'), { recursive: true });
    await writeFile(join(rootfs, 'boot/vmlinuz-6.1.0-1-cloud-amd64'), 'kernel 1');
    await writeFile(join(rootfs, 'boot/initrd.img-6.1.0-1-cloud-amd64'), 'initrd 1');
    await writeFile(join(rootfs, 'etc/hostname'), 'localhost\n');
    await writeFile(join(rootfs, 'etc/cloud/cloud.cfg'), 'datasource_list: [NoCloud, None]\n');
    await symlink('/proc/self/mounts', join(rootfs, 'etc/mtab'));
  });

  afterEach(async () => {
    await rm(rootfs, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  });

  it('packs the tree into an ext4 qcow2 of the computed size, with the kernel and initrd beside it, and no raw left', async () => {
    const packed = await packDiskImage(artifact(), workDir);

    const { stdout } = await execa('qemu-img', ['info', '--output=json', packed.disk]);
    const info = JSON.parse(stdout) as { format: string; 'virtual-size': number };
    assert.equal(info.format, 'qcow2');
    assert.equal(info['virtual-size'], 3 * GIB, 'a tiny tree gets the 3 GiB minimum');
    assert.equal(await readFile(packed.kernel, 'utf8'), 'kernel 1');
    assert.equal(await readFile(packed.initrd, 'utf8'), 'initrd 1');
    assert.deepEqual((await readdir(workDir)).sort(), ['disk.qcow2', 'initrd.img', 'vmlinuz']);
    assert.equal(packed.sizeBytes, (await stat(packed.disk)).size);
    assert.equal(packed.fingerprint, createHash('sha256').update(await readFile(packed.disk)).digest('hex'));
  });

  it('puts the tree in the filesystem, labelled cloudimg-rootfs, owners and links kept', async () => {
    await chown(join(rootfs, 'etc/hostname'), 1000, 1001);
    const packed = await packDiskImage(artifact(), workDir);
    const raw = join(workDir, 'check.raw');
    await execa('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', packed.disk, raw]);

    const { stdout: label } = await execa('e2label', [raw]);
    assert.equal(label, 'cloudimg-rootfs');
    const { stdout: hostname } = await execa('debugfs', ['-R', 'cat /etc/hostname', raw]);
    assert.equal(hostname, 'localhost');
    const { stdout: owned } = await execa('debugfs', ['-R', 'stat /etc/hostname', raw]);
    assert.match(owned, /User:\s+1000\s+Group:\s+1001\b/);
    const { stdout: mtab } = await execa('debugfs', ['-R', 'stat /etc/mtab', raw]);
    assert.match(mtab, /Type: symlink/);
    assert.match(mtab, /Fast link dest: "\/proc\/self\/mounts"/);
  });

  it('takes the newest kernel and its own initrd, never a symlink (it points into the guest)', async () => {
    await writeFile(join(rootfs, 'boot/vmlinuz-6.1.0-10-cloud-amd64'), 'kernel 10');
    await writeFile(join(rootfs, 'boot/initrd.img-6.1.0-10-cloud-amd64'), 'initrd 10');
    await writeFile(join(rootfs, 'boot/vmlinuz-6.1.0-9-cloud-amd64'), 'kernel 9');
    await writeFile(join(rootfs, 'boot/initrd.img-6.1.0-9-cloud-amd64'), 'initrd 9');
    await symlink('/boot/vmlinuz-9.9.9', join(rootfs, 'boot/vmlinuz-9.9.9'));

    const packed = await packDiskImage(artifact(), workDir);

    assert.equal(await readFile(packed.kernel, 'utf8'), 'kernel 10');
    assert.equal(await readFile(packed.initrd, 'utf8'), 'initrd 10');
  });

  it('refuses a tree without a kernel, or a kernel without its initrd, with IMAGE_BUILD naming the packages', async () => {
    await rm(join(rootfs, 'boot/vmlinuz-6.1.0-1-cloud-amd64'));
    await assert.rejects(packDiskImage(artifact(), workDir), (error: unknown) => {
      assert.ok(error instanceof HarnessError);
      assert.equal(error.code, 'IMAGE_BUILD');
      assert.match(error.message, /no kernel/);
      assert.match(error.hint ?? '', /linux-image-cloud-amd64 and initramfs-tools/);
      return true;
    });
    assert.deepEqual(await readdir(workDir), [], 'nothing packed');

    await rm(join(rootfs, 'boot'), { recursive: true });
    await assert.rejects(bootFiles(rootfs), { code: 'IMAGE_BUILD' });

    await mkdir(join(rootfs, 'boot'));
    await writeFile(join(rootfs, 'boot/vmlinuz-6.1.0-2-cloud-amd64'), 'kernel 2');
    await assert.rejects(bootFiles(rootfs), { code: 'IMAGE_BUILD', message: /no \/boot\/initrd\.img-6\.1\.0-2-cloud-amd64/ });
  });

  it('refuses a root filesystem that is not a directory', async () => {
    await assert.rejects(packDiskImage({ ...artifact(), dir: join(rootfs, 'missing') }, workDir), { code: 'IMAGE_NOT_FOUND' });
  });
});

describe('qemu disk sizing, kernel order and packing stamp', () => {
  it('sizes the disk at the tree × 1.5 + 1 GiB, at least 3 GiB, in whole MiB', () => {
    assert.equal(diskSizeFor(0), 3 * GIB);
    assert.equal(diskSizeFor(GIB), 3 * GIB);
    assert.equal(diskSizeFor(2 * GIB), 4 * GIB);
    assert.equal(diskSizeFor(2 * GIB + 1), 4 * GIB + MIB);
  });

  it('orders kernel versions as sort -V does', () => {
    const versions = ['6.1.0-10-cloud-amd64', '6.1.0-9-cloud-amd64', '6.12.1-1-cloud-amd64', '6.1.0-9-amd64'];
    assert.deepEqual(versions.sort(compareVersions), ['6.1.0-9-amd64', '6.1.0-9-cloud-amd64', '6.1.0-10-cloud-amd64', '6.12.1-1-cloud-amd64']);
    assert.equal(compareVersions('6.1.0-1', '6.1.0-1'), 0);
  });

  it('stamps packed images with a sha256 identity under its own property', () => {
    assert.equal(DISK_PACKING.property, 'cloudproof.qemu-disk');
    assert.match(DISK_PACKING.identity, /^[0-9a-f]{64}$/);
  });
});
