import assert from 'node:assert/strict';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { HarnessError } from '../../core/errors.js';
import { checkGuestPath, debugfsComplaint, inodeTypeOf, putFilesIntoExt4, writePrebootFiles, writeRequests } from './preboot-files.js';

describe('qemu preboot files: debugfs requests, guest paths and what debugfs prints', () => {
  it('creates the file from the source, then makes it a regular file of the mode given, root:root', () => {
    assert.deepEqual(writeRequests('/tmp/w/preboot-0', '/etc/cloud/cloud-init.disabled', 0o600), [
      'write /tmp/w/preboot-0 /etc/cloud/cloud-init.disabled',
      'set_inode_field /etc/cloud/cloud-init.disabled mode 0100600',
      'set_inode_field /etc/cloud/cloud-init.disabled uid 0',
      'set_inode_field /etc/cloud/cloud-init.disabled gid 0',
    ]);
    assert.equal(writeRequests('/s', '/x', 0o4755)[1], 'set_inode_field /x mode 0104755');
    assert.throws(() => writeRequests('/s', '/x', 0o10000), (error: unknown) => error instanceof HarnessError && error.code === 'INTERNAL');
  });

  it('takes only absolute, normalized file paths that debugfs reads as one argument', () => {
    for (const path of ['/etc/cloud/cloud-init.disabled', '/etc/a-b_c.d', '/x']) assert.doesNotThrow(() => checkGuestPath(path), path);
    for (const path of ['etc/x', '/', '/etc/', '/etc/../x', '/etc//x', '/a b', '/a\tb', '/a"b', "/a'b", '/a\\b', '/a\nb']) {
      assert.throws(() => checkGuestPath(path), (error: unknown) => error instanceof HarnessError && error.code === 'NOT_SUPPORTED', JSON.stringify(path));
    }
  });

  it('hears a complaint in anything debugfs prints on stderr besides its banner', () => {
    assert.equal(debugfsComplaint('debugfs 1.47.0 (5-Feb-2023)\n'), undefined);
    assert.equal(debugfsComplaint(''), undefined);
    assert.equal(debugfsComplaint('debugfs 1.46.6-rc1 (1-Feb-2023)\n'), undefined);
    assert.equal(debugfsComplaint('debugfs 1.47.0 (5-Feb-2023)\nwrite: Ext2 file already exists \n'), 'write: Ext2 file already exists');
    assert.equal(
      debugfsComplaint('debugfs 1.47.0 (5-Feb-2023)\ndebugfs: Bad magic number in super-block while trying to open d.raw\nCould not open d.raw'),
      'debugfs: Bad magic number in super-block while trying to open d.raw / Could not open d.raw',
    );
  });

  it("reads an inode's type from stat, and none from output without one", () => {
    assert.equal(inodeTypeOf('Inode: 33   Type: directory    Mode:  0755   Flags: 0x80000\n'), 'directory');
    assert.equal(inodeTypeOf('Inode: 182   Type: regular    Mode:  0600   Flags: 0x80000\nUser: 0\n'), 'regular');
    assert.equal(inodeTypeOf(''), undefined);
  });
});

describe('@e2e qemu preboot files in a real ext4 disk (mkfs.ext4, debugfs, qemu-img)', function () {
  this.timeout(60_000);
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-preboot-'));
    const tree = join(work, 'tree');
    await mkdir(join(tree, 'etc', 'cloud'), { recursive: true });
    await writeFile(join(tree, 'etc', 'hostname'), 'from the image\n');
    await writeFile(join(tree, 'etc', 'kept'), 'untouched\n');
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** A raw ext4 filesystem made from the tree, `leadingBytes` into the file, as a partition would be. */
  async function rawFilesystem(leadingBytes = 0): Promise<string> {
    const filesystem = join(work, 'fs.raw');
    await execa('mkfs.ext4', ['-q', '-d', join(work, 'tree'), filesystem, '16M']);
    if (leadingBytes === 0) return filesystem;
    const disk = join(work, 'disk.raw');
    await writeFile(disk, Buffer.alloc(leadingBytes));
    const handle = await open(disk, 'a');
    await handle.writeFile(await readFile(filesystem));
    await handle.close();
    return disk;
  }

  const inImage = async (image: string, request: string): Promise<string> => (await execa('debugfs', ['-R', request, image])).stdout;

  it('puts new and replaced files into a qcow2 overlay, root\'s with their modes, and keeps the rest of the disk', async () => {
    const raw = await rawFilesystem();
    const base = join(work, 'base.qcow2');
    const overlay = join(work, 'overlay.qcow2');
    await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, base]);
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, overlay]);

    await writePrebootFiles(overlay, [
      { path: '/etc/cloud/cloud-init.disabled', content: '' },
      { path: '/etc/hostname', content: 'preboot\n', mode: 0o600 },
      { path: '/etc/secret', content: new Uint8Array([0, 1, 2, 255]), mode: 0o400 },
    ]);

    const result = join(work, 'result.raw');
    await execa('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', overlay, result]);
    assert.equal(await inImage(result, 'cat /etc/hostname'), 'preboot');
    assert.equal(await inImage(result, 'cat /etc/kept'), 'untouched');
    assert.match(await inImage(result, 'stat /etc/hostname'), /Type: regular\s+Mode:\s+0600[\s\S]*User:\s+0\s+Group:\s+0/);
    assert.match(await inImage(result, 'stat /etc/cloud/cloud-init.disabled'), /Type: regular\s+Mode:\s+0644[\s\S]*User:\s+0\s+Group:\s+0\s+Project:\s+\d+\s+Size: 0/);
    await execa('debugfs', ['-R', `dump /etc/secret ${join(work, 'secret')}`, result]);
    assert.deepEqual([...(await readFile(join(work, 'secret')))], [0, 1, 2, 255]);
    await execa('e2fsck', ['-fn', result]);
    assert.deepEqual((await execa('ls', [work])).stdout.split('\n').filter((name) => name.startsWith('preboot-')), [], 'the round trip left its work folder');
  });

  it('writes into a filesystem that starts at an offset, as a partition does', async () => {
    const disk = await rawFilesystem(1024 * 1024);
    await putFilesIntoExt4(disk, 1024 * 1024, [{ path: '/etc/hostname', content: 'at an offset\n' }], work);
    assert.equal(await inImage(`${disk}?offset=${1024 * 1024}`, 'cat /etc/hostname'), 'at an offset');
  });

  it('fails, saying why, where debugfs exits 0: a missing directory, a directory in the way, no filesystem at the offset', async () => {
    const raw = await rawFilesystem();
    const fails = (promise: Promise<unknown>, message: RegExp) => assert.rejects(promise, (error: unknown) => error instanceof HarnessError && error.code === 'PLATFORM_API' && message.test(error.message));
    await fails(putFilesIntoExt4(raw, 0, [{ path: '/nowhere/file', content: 'x' }], work), /\/nowhere does not exist in the image/);
    await fails(putFilesIntoExt4(raw, 0, [{ path: '/etc/hostname/file', content: 'x' }], work), /\/etc\/hostname is not a directory/);
    await fails(putFilesIntoExt4(raw, 0, [{ path: '/etc/cloud', content: 'x' }], work), /the image has a directory there/);
    await fails(putFilesIntoExt4(raw, 4096, [{ path: '/etc/x', content: 'x' }], work), /debugfs "stat \/etc" .* failed: .*Bad magic number/);
  });
});
