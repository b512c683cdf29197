import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { HarnessError } from '../../core/errors.js';
import { sha256File } from '../../core/host/sha256-file.js';
import { QemuImageStore } from './image-store.js';
import { isRunning, VM_FILES, VM_SOCKETS, vmPaths, type VmRecord } from './instance-record.js';
import { publishVm } from './publish.js';

/**
 * publishVm against a stand-in for the VM: a process whose command line names the VM's
 * folder (what isRunning looks for) and a QMP monitor that, like a guest acting on its
 * power button, ends that process on system_powerdown (the first, or a later one), or does not. The disks are real
 * qcow2 files, flattened by the real qemu-img.
 */
describe('@e2e qemu publish (qemu-img, a stand-in qemu and monitor)', function () {
  this.timeout(60_000);
  let stateDir: string;
  let store: QemuImageStore;
  let record: VmRecord;
  let vm: ChildProcess;
  let monitor: Server;
  let baseFingerprint: string;
  const commands: string[] = [];

  async function addBase(): Promise<void> {
    const pack = await mkdtemp(join(stateDir, 'pack-'));
    const files = { disk: join(pack, 'disk.qcow2'), kernel: join(pack, 'vmlinuz'), initrd: join(pack, 'initrd.img') };
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', files.disk, '64M']);
    await execa('qemu-io', ['-c', 'write -P 0x11 0 1M', files.disk]);
    await writeFile(files.kernel, 'the base kernel');
    await writeFile(files.initrd, 'the base initrd');
    baseFingerprint = await sha256File(files.disk);
    await store.add({ files, fingerprint: baseFingerprint, aliases: ['base', 'cloudproof/prepared/abc'], properties: { kept: 'yes' }, description: 'the base' });
  }

  /** The stand-in powers off at the `obeyedPress`-th system_powerdown (1 the first), or never when undefined. */
  async function startStandIn(obeyedPress: number | undefined): Promise<void> {
    let presses = 0;
    vm = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', record.dir], { stdio: 'ignore' });
    record = { ...record, pid: vm.pid ?? -1 };
    await mkdir(record.socketsDir, { recursive: true });
    monitor = createServer((socket) => {
      socket.write('{"QMP": {"version": {}, "capabilities": []}}\n');
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        for (const line of chunk.split('\n').filter((text) => text.trim() !== '')) {
          const { execute } = JSON.parse(line) as { execute: string };
          commands.push(execute);
          socket.write('{"return": {}}\n');
          if (execute === 'system_powerdown' && ++presses === obeyedPress) setTimeout(() => vm.kill('SIGTERM'), 300);
        }
      });
    });
    await new Promise<void>((resolve) => monitor.listen(join(record.socketsDir, VM_SOCKETS.qmp), resolve));
  }

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'cloudproof-qemu-publish-'));
    store = new QemuImageStore(stateDir);
    commands.length = 0;
    await addBase();
    record = { name: 'vm-publish', labels: {}, createdAt: '', imageFingerprint: baseFingerprint, accelerator: 'tcg', ...vmPaths(stateDir, 'vm-publish') };
    await mkdir(record.dir, { recursive: true });
    const base = await store.paths(baseFingerprint);
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base?.disk ?? '', join(record.dir, VM_FILES.overlay)]);
    await execa('qemu-io', ['-c', 'write -P 0x22 512k 64k', join(record.dir, VM_FILES.overlay)]);
  });

  afterEach(async () => {
    vm.kill('SIGKILL');
    await new Promise<void>((resolve) => monitor.close(() => resolve()));
    await rm(record.socketsDir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  });

  it('powers the guest off, then adds the flattened overlay with the base kernel and initrd, moving the alias; the stopped VM keeps its files', async () => {
    await startStandIn(1);
    const image = await publishVm(record, { aliases: ['cloudproof/prepared/abc'], properties: { 'cloudproof.hash': 'abc', description: 'prepared' } }, { images: store, powerOffTimeoutMs: 10_000 });

    assert.deepEqual(commands, ['qmp_capabilities', 'system_powerdown']);
    assert.equal(await isRunning(record), false);
    assert.deepEqual(image.aliases, ['cloudproof/prepared/abc']);
    assert.deepEqual(image.properties, { 'cloudproof.hash': 'abc', description: 'prepared' });
    assert.deepEqual((await store.find('base'))?.aliases, ['base'], 'the alias moved off the base');
    const files = await store.paths(image.fingerprint);
    assert.ok(files);
    assert.equal(image.fingerprint, await sha256File(files.disk));
    assert.equal(await readFile(files.kernel, 'utf8'), 'the base kernel');
    assert.equal(await readFile(files.initrd, 'utf8'), 'the base initrd');
    const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', files.disk])).stdout) as Record<string, unknown>;
    assert.equal(info.format, 'qcow2');
    assert.equal(info['backing-filename'], undefined, 'the published disk stands alone');
    await execa('qemu-img', ['compare', '-f', 'qcow2', '-F', 'qcow2', join(record.dir, VM_FILES.overlay), files.disk]);
    await access(join(record.dir, VM_FILES.overlay));
    assert.deepEqual((await readdir(record.dir)).sort(), [VM_FILES.overlay], 'only the VM\'s own files stay, no work folder');
  });

  it('presses the power button again when the guest did not act on the first press', async () => {
    await startStandIn(2);
    await publishVm(record, { aliases: ['again'], properties: {} }, { images: store, powerOffTimeoutMs: 10_000, pressAgainMs: 500 });
    assert.deepEqual(commands.filter((command) => command === 'system_powerdown'), ['system_powerdown', 'system_powerdown']);
    assert.equal(await isRunning(record), false);
  });

  it('publishes nothing from a guest that does not power off in time, and leaves it running', async () => {
    await startStandIn(undefined);
    await assert.rejects(
      publishVm(record, { aliases: ['other'], properties: {} }, { images: store, powerOffTimeoutMs: 1000 }),
      (error: unknown) => error instanceof HarnessError && error.code === 'PLATFORM_API' && /did not power off within 1 s/.test(error.message),
    );
    assert.equal(await isRunning(record), true);
    assert.deepEqual((await store.list()).map((image) => image.fingerprint), [baseFingerprint]);
  });
});
