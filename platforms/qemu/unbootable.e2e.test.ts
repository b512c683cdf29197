import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { generateAccessKey } from '../../core/access-key.js';
import { HarnessError } from '../../core/errors.js';
import { qemuForTests, qemuOptionsForTests } from '../../test/qemu-for-tests.js';
import { QemuImageStore } from './image-store.js';
import { instancesDir, vmPaths } from './instance-record.js';
import qemu from './index.js';

/**
 * An image whose disk holds no filesystem boots a kernel that never finds its root: the
 * wait must fail within its timeout quoting the console, and delete must leave no qemu
 * process, overlay, seed or socket behind.
 */
describe('@e2e qemu: a VM whose image cannot boot', function () {
  this.timeout(10 * 60_000);
  let stateDir: string;

  before(async function () {
    const real = qemuForTests();
    const good = await real.findImage('cloudproof/debian/bookworm');
    const files = good === undefined ? undefined : await new QemuImageStore(qemuOptionsForTests().stateDir).paths(good.fingerprint);
    if (files === undefined) {
      console.warn('    skipped: the qemu platform has no image to take a kernel from (npx harness image build --platform qemu --release bookworm)');
      this.skip();
    }
    stateDir = await mkdtemp(join(tmpdir(), 'cloudproof-qemu-unbootable-'));
    const work = await mkdtemp(join(stateDir, 'work-'));
    await copyFile(files.kernel, join(work, 'vmlinuz'));
    await copyFile(files.initrd, join(work, 'initrd.img'));
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', join(work, 'disk.qcow2'), '1G']);
    await new QemuImageStore(stateDir).add({
      files: { disk: join(work, 'disk.qcow2'), kernel: join(work, 'vmlinuz'), initrd: join(work, 'initrd.img') },
      fingerprint: randomBytes(32).toString('hex'),
      aliases: ['cloudproof-test/unbootable'],
      properties: {},
      description: 'a blank disk: no root filesystem',
    });
  });
  after(async () => {
    if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
  });

  it('fails the wait within its timeout with the console tail, and delete leaves nothing', async () => {
    const platform = qemu.create({ env: process.env, settings: { accel: 'tcg' }, stateDir });
    await platform.connect();
    const image = await platform.resolveImage('cloudproof-test/unbootable');
    const name = `cp-unbootable-${randomBytes(3).toString('hex')}`;
    const instance = await platform.launch({ name, imageFingerprint: image.fingerprint, userData: '#cloud-config\n', accessKey: generateAccessKey('test'), labels: { 'cloudproof.test': name } });
    const started = Date.now();
    const timeoutMs = 45_000;
    try {
      const outcome = await platform.readiness.waitUntilReady(instance, { timeoutMs }).then(() => undefined, (error: unknown) => error);
      const waited = Date.now() - started;
      assert.ok(outcome instanceof HarnessError && outcome.code === 'BOOT_TIMEOUT', `the wait ended with ${String(outcome)}`);
      assert.ok(waited < timeoutMs + 15_000, `the wait took ${waited} ms for a ${timeoutMs} ms timeout`);
      assert.match(outcome.message, /its console ends: /);
      assert.doesNotMatch(outcome.message, /the console is empty/);
      assert.match(await instance.consoleLog(), /Linux version/);
    } finally {
      await instance.delete();
    }
    const { dir, socketsDir } = vmPaths(stateDir, name);
    assert.equal(await stat(dir).catch(() => undefined), undefined, 'the VM folder (overlay, seed, console) is left');
    assert.equal(await stat(socketsDir).catch(() => undefined), undefined, 'the sockets folder is left');
    assert.deepEqual(await readdir(instancesDir(stateDir)), []);
    assert.deepEqual(await platform.listByLabel({ 'cloudproof.test': name }), []);
    const processes = await execa('ps', ['-eo', 'args'], { reject: false });
    assert.ok(!processes.stdout.split('\n').some((line) => line.includes(dir)), 'its qemu process is left');
  });
});
