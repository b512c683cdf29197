import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { t as listTar } from 'tar';
import { AbortedError, ExecTimeoutError, HarnessError } from '../../core/errors.js';
import type { AccessKey, Instance, LaunchSpec } from '../types.js';
import { BOOT_ID_PATH, readBootId } from '../wait/index.js';
import leakyLaunch from './broken/leaky-launch.js';
import latePrebootFiles from './broken/late-preboot-files.js';
import staleRestart from './broken/stale-restart.js';
import { runConformance } from '../conformance/index.js';
import fake from './index.js';
import { FakePlatform } from './platform.js';

/** The fake needs no key (its exec is in-process) and leaves the guest untouched by it. */
const ACCESS_KEY: AccessKey = { publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFake fake', privateKey: 'unused' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('fake platform', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-fake-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const spec = (overrides: Partial<LaunchSpec> = {}): LaunchSpec => ({
    name: 'fake-one',
    imageFingerprint: 'f00d',
    userData: '#cloud-config\n{}\n',
    accessKey: ACCESS_KEY,
    labels: { 'cloudproof.managed': 'true', 'cloudproof.run': 'r1' },
    ...overrides,
  });
  const run = async (instance: Instance, ...command: string[]) => {
    const result = await instance.exec({ command });
    return { exitCode: result.exitCode, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
  };

  describe('the simulated guest', () => {
    it('answers its exec vocabulary, and 127 with a message for anything else', async () => {
      const instance = await new FakePlatform().launch(spec());
      assert.equal((await run(instance, 'true')).exitCode, 0);
      assert.equal((await run(instance, 'false')).exitCode, 1);
      assert.deepEqual(await run(instance, 'id', '-u'), { exitCode: 0, stdout: '0\n', stderr: '' });
      assert.equal((await run(instance, 'sh', '-c', 'exit 3')).exitCode, 3);
      assert.equal((await run(instance, 'systemctl', 'stop', 'ssh')).exitCode, 0);
      assert.equal((await run(instance, 'cat', '/etc/hostname')).stdout, 'fake-one\n');
      const missing = await run(instance, 'cat', '/nowhere');
      assert.equal(missing.exitCode, 1);
      assert.match(missing.stderr, /No such file/);
      const unknown = await run(instance, 'apt-get', 'update');
      assert.equal(unknown.exitCode, 127);
      assert.equal(unknown.stderr, 'fake: command not found: apt-get update\n');
      assert.equal((await run(instance, 'sh', '-c', 'echo hi')).exitCode, 127, 'no shell: only `exit N` runs');
    });

    it('is binary-safe: cat echoes stdin and push/pull keep every byte', async () => {
      const instance = await new FakePlatform().launch(spec());
      const bytes = Buffer.from([0, 255, 10, 13, 0x80, 0]);
      assert.deepEqual((await instance.exec({ command: ['cat'], stdin: bytes })).stdout, bytes);
      await instance.push('/root/blob', bytes, { mode: 0o600 });
      assert.deepEqual(await instance.pull('/root/blob'), bytes);
      assert.equal((await run(instance, 'stat', '-c', '%a', '/root/blob')).stdout, '600\n');
      await instance.push('/root/blob', 'again');
      assert.equal((await run(instance, 'stat', '-c', '%a', '/root/blob')).stdout, '600\n', 'an overwritten file keeps its mode');
      assert.equal(await instance.pull('/root/none'), undefined);
    });

    it('pushes into no directory that does not exist, until `mkdir -p` makes it', async () => {
      const instance = await new FakePlatform().launch(spec());
      await assert.rejects(instance.push('/var/tmp/new/file', 'x'), (error: HarnessError) => {
        assert.equal(error.code, 'PLATFORM_API');
        assert.match(error.hint ?? '', /mkdir -p/);
        return true;
      });
      assert.equal((await run(instance, 'mkdir', '-p', '/var/tmp/new')).exitCode, 0);
      await instance.push('/var/tmp/new/file', 'x');
      assert.equal((await run(instance, 'cat', '/var/tmp/new/file')).stdout, 'x');
    });

    it('serves the NoCloud seed: meta-data with the keys given, vendor-data, and network-config cloud-init applied', async () => {
      const networkConfig = 'version: 2\nethernets:\n  enp5s0:\n    dhcp4: true\n';
      const instance = await new FakePlatform().launch(spec({ metaData: { 'fake-key': 'fake value' }, vendorData: '#cloud-config\nvendor: 1\n', networkConfig }));
      const metaData = (await instance.pull('/var/lib/cloud/seed/nocloud-net/meta-data'))?.toString('utf8') ?? '';
      assert.match(metaData, /^instance-id: fake-one\nlocal-hostname: fake-one\nfake-key: fake value\n$/);
      assert.equal((await run(instance, 'cloud-init', 'query', 'ds.meta_data.fake-key')).stdout, 'fake value\n');
      assert.equal((await run(instance, 'cloud-init', 'query', 'ds.meta_data.instance_id')).stdout, 'fake-one\n');
      assert.equal((await run(instance, 'cloud-init', 'query', 'ds.meta_data.nosuch')).exitCode, 1);
      assert.equal((await run(instance, 'cloud-init', 'query', 'userdata')).stdout, '#cloud-config\n{}\n');
      assert.equal((await run(instance, 'cloud-init', 'query', 'vendordata')).stdout, '#cloud-config\nvendor: 1\n');
      assert.equal((await instance.pull('/var/lib/cloud/seed/nocloud-net/network-config'))?.toString('utf8'), networkConfig);
      const log = (await run(instance, 'cat', '/var/log/cloud-init.log')).stdout;
      assert.match(log, /stages\.py\[INFO\]: Applying network configuration from ds bringup=False: \{'version': 2, 'ethernets': \{'enp5s0': \{'dhcp4': True\}\}\}/);
    });

    it('refuses what a capability it was made without would allow', async () => {
      const platform = new FakePlatform({ capabilities: ['out-of-band-exec'] });
      await assert.rejects(platform.launch(spec({ vendorData: 'x' })), { code: 'NOT_SUPPORTED' });
      await assert.rejects(platform.launch(spec({ files: [{ path: '/etc/x', content: 'x' }] })), { code: 'NOT_SUPPORTED' });
      const instance = await platform.launch(spec());
      await assert.rejects(instance.restart(), { code: 'NOT_SUPPORTED' });
      await assert.rejects(instance.consoleLog(), { code: 'NOT_SUPPORTED' });
      await assert.rejects(instance.publish({ aliases: [], properties: {} }), { code: 'NOT_SUPPORTED' });
    });

    it('puts launch files in place before the boot: with the disabled marker cloud-init does not run, until it is removed and the guest reboots', async () => {
      const platform = new FakePlatform();
      await assert.rejects(platform.launch(spec({ name: 'nodir', files: [{ path: '/nowhere/x', content: 'x' }] })), /its directory \/nowhere does not exist/);
      const instance = await platform.launch(spec({ files: [{ path: '/etc/cloud/cloud-init.disabled', content: '' }, { path: '/etc/secret', content: 'hush\n', mode: 0o600 }] }));
      assert.equal((await run(instance, 'stat', '-c', '%a', '/etc/secret')).stdout, '600\n');
      assert.deepEqual(await run(instance, 'cloud-init', 'status', '--wait'), { exitCode: 0, stdout: 'status: disabled\n', stderr: '' });
      assert.equal(await instance.pull('/var/log/cloud-init.log'), undefined, 'cloud-init wrote no log: it never ran');
      assert.equal((await run(instance, 'rm', '-f', '/etc/cloud/cloud-init.disabled', '/etc/not-there')).exitCode, 0);
      await instance.restart();
      assert.equal((await run(instance, 'cloud-init', 'status', '--wait')).stdout, 'status: done\n');
    });

    it("is caught by [preboot-files.before-first-boot] with the late-preboot-files flaw: cloud-init ran before the marker came", async () => {
      const options = { env: {}, settings: {}, stateDir: join(dir, 'late') };
      const rule = 'preboot-files.before-first-boot';
      const [sound] = (await runConformance({ driver: fake, choice: { platform: 'fake', module: undefined }, options, image: 'debian/bookworm', only: [rule] })).rules;
      assert.equal(sound?.outcome, 'passed', sound?.detail);
      const [late] = (await runConformance({ driver: latePrebootFiles, choice: { platform: 'fake', module: 'platforms/fake/broken/late-preboot-files.ts' }, options, image: 'debian/bookworm', only: [rule] })).rules;
      assert.equal(late?.outcome, 'failed');
      assert.match(late.detail ?? '', /printed "status: done\\n", not "status: disabled"/);
    });

    it('waits for cloud-init bootMs into the boot; a hung boot times out, an abort aborts, sleep is a real timer', async () => {
      const slow = await new FakePlatform({ behaviourOf: () => ({ bootMs: 80 }) }).launch(spec());
      const started = Date.now();
      assert.deepEqual(await run(slow, 'cloud-init', 'status', '--wait'), { exitCode: 0, stdout: 'status: done\n', stderr: '' });
      assert.ok(Date.now() - started >= 60);
      const hung = await new FakePlatform({ behaviourOf: () => ({ bootHangs: true }) }).launch(spec());
      await assert.rejects(hung.exec({ command: ['cloud-init', 'status', '--wait'], timeoutMs: 30 }), (error: unknown) => error instanceof ExecTimeoutError && error.code === 'EXEC_TIMEOUT');
      await assert.rejects(hung.exec({ command: ['sleep', '10'], timeoutMs: 30 }), ExecTimeoutError);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(hung.exec({ command: ['sleep', '10'], signal: controller.signal }), AbortedError);
      assert.equal((await run(hung, 'sleep', '0.01')).exitCode, 0);
    });

    it('asks onExec first and runs its own vocabulary when the hook leaves a command to it', async () => {
      const platform = new FakePlatform({ onExec: (_instance, exec) => (exec.command[0] === 'dpkg-query' ? { exitCode: 0, stdout: Buffer.from('answered'), stderr: Buffer.alloc(0) } : undefined) });
      const instance = await platform.launch(spec());
      assert.equal((await run(instance, 'dpkg-query', '-W')).stdout, 'answered');
      assert.equal((await run(instance, 'id', '-u')).stdout, '0\n');
      assert.deepEqual(platform.callsOf('exec').map((call) => call.command.join(' ')), ['dpkg-query -W', 'id -u']);
    });

    it('harvests with `sh -s`: a tar of collectors/ and files/ from the behaviour', async () => {
      const platform = new FakePlatform({ behaviourOf: () => ({ outputs: { marker: 'hi\n' }, files: { '/etc/fake.conf': 'x' } }) });
      const instance = await platform.launch(spec());
      const archive = (await instance.exec({ command: ['sh', '-s'], stdin: 'ignored script' })).stdout;
      const paths: string[] = [];
      await pipeline(Readable.from([archive]), listTar({ onReadEntry: (entry) => paths.push(entry.path) }));
      assert.ok(paths.includes('collectors/marker.out') && paths.includes('collectors/cloud-init-status.rc'), paths.join(' '));
      assert.ok(paths.includes('files/var/log/cloud-init.log') && paths.includes('files/etc/fake.conf'), paths.join(' '));
    });

    it('restart boots anew (a new boot id) and the console log shows every boot; the stale-restart flaw does not', async () => {
      const instance = await new FakePlatform().launch(spec());
      const first = await readBootId(instance);
      assert.match(first, UUID);
      await instance.restart();
      const second = await readBootId(instance);
      assert.notEqual(second, first);
      const consoleLog = await instance.consoleLog();
      assert.ok(consoleLog.includes(first) && consoleLog.includes(second), consoleLog);

      const stale = await staleRestart.create({ env: {}, settings: {}, stateDir: join(dir, 'stale') }).launch(spec());
      const before = await readBootId(stale);
      await stale.restart();
      assert.equal(await readBootId(stale), before);
    });

    it('is deterministic: the same launch gives the same boot id, harvest and published fingerprint', async () => {
      const once = async () => {
        const instance = await new FakePlatform().launch(spec());
        const harvest = (await instance.exec({ command: ['sh', '-s'] })).stdout;
        const image = await instance.publish({ aliases: ['fake/published'], properties: {} });
        return { bootId: (await instance.pull(BOOT_ID_PATH))?.toString('utf8'), harvest, fingerprint: image.fingerprint };
      };
      assert.deepEqual(await once(), await once());
    });
  });

  describe('the platform', () => {
    it('launches with labels that round-trip exactly and lists by label', async () => {
      const platform = new FakePlatform();
      const labels = { 'cloudproof.managed': 'true', 'cloudproof.run': 'r1', odd: 'with space = and "quotes"' };
      const instance = await platform.launch(spec({ labels }));
      await platform.launch(spec({ name: 'fake-two', labels: { 'cloudproof.run': 'r2' } }));
      assert.deepEqual(instance.labels, labels);
      const listed = await platform.listByLabel({ 'cloudproof.run': 'r1' });
      assert.deepEqual(listed.map((summary) => [summary.name, summary.labels, summary.status]), [['fake-one', labels, 'Running']]);
      assert.equal((await platform.listByLabel({})).length, 2);
    });

    it('leaves nothing of a failed or aborted launch, except with the leaky-launch flaw', async () => {
      const platform = new FakePlatform({ behaviourOf: (launch) => ({ launchFails: launch.name === 'fake-fails' }) });
      await assert.rejects(platform.launch(spec({ imageFingerprint: 'beef' })), { code: 'IMAGE_NOT_FOUND' });
      await assert.rejects(platform.launch(spec({ name: 'fake-fails' })), { code: 'PLATFORM_API' });
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(platform.launch(spec({ signal: controller.signal })), AbortedError);
      assert.deepEqual(await platform.listByLabel({}), []);

      const leaky = leakyLaunch.create({ env: {}, settings: {}, stateDir: join(dir, 'leaky') });
      await assert.rejects(leaky.launch(spec({ imageFingerprint: 'beef' })), { code: 'IMAGE_NOT_FOUND' });
      assert.deepEqual((await leaky.listByLabel({})).map((summary) => summary.name), ['fake-one']);
    });

    it('publishes an instance as an image that launches with its files, taking the alias from the image that had it', async () => {
      const platform = new FakePlatform();
      const instance = await platform.launch(spec());
      await instance.push('/root/marker', 'published');
      const image = await instance.publish({ aliases: ['cloudproof/debian/bookworm'], properties: { made: 'here' } });
      assert.match(image.fingerprint, /^[0-9a-f]{64}$/);
      assert.deepEqual([image.ref, image.properties], ['cloudproof/debian/bookworm', { made: 'here' }]);
      assert.equal((await platform.resolveImage('cloudproof/debian/bookworm')).fingerprint, image.fingerprint);
      assert.deepEqual((await platform.resolveImage('f00d')).aliases, []);
      await assert.rejects(instance.exec({ command: ['true'] }), { code: 'PLATFORM_API' }, 'publish stopped it');
      const child = await platform.launch(spec({ name: 'fake-child', imageFingerprint: image.fingerprint }));
      assert.equal((await child.pull('/root/marker'))?.toString('utf8'), 'published');
      assert.equal((await child.pull('/etc/hostname'))?.toString('utf8'), 'fake-child\n');
    });

    it('imports a rootfs, refuses an image file, and deletes images idempotently', async () => {
      const platform = new FakePlatform();
      const rootfs = join(dir, 'rootfs');
      await mkdir(join(rootfs, 'etc'), { recursive: true });
      await writeFile(join(rootfs, 'etc', 'os-release'), 'ID=debian\n');
      const artifact = { kind: 'rootfs', dir: rootfs, architecture: 'amd64', os: 'debian', release: 'bookworm', description: 'test' } as const;
      const image = await platform.importImage({ artifact, aliases: ['cloudproof/debian/trixie'], properties: { 'cloudproof.recipe': 'r' } });
      assert.equal((await platform.resolveImage('cloudproof/debian/trixie')).properties['cloudproof.recipe'], 'r');
      assert.equal((await platform.launch(spec({ imageFingerprint: image.fingerprint }))).name, 'fake-one');
      await assert.rejects(platform.importImage({ artifact: { kind: 'image-file', format: 'qcow2', path: join(dir, 'x.qcow2') }, aliases: [], properties: {} }), { code: 'NOT_SUPPORTED' });
      await assert.rejects(platform.importImage({ artifact: { ...artifact, dir: join(dir, 'none') }, aliases: [], properties: {} }), { code: 'IMAGE_NOT_FOUND' });
      await platform.deleteImage(image.fingerprint);
      await platform.deleteImage(image.fingerprint);
      assert.equal(await platform.findImage('cloudproof/debian/trixie'), undefined);
    });

    it('keeps instances and images in its state folder: a second platform on it lists and destroys what the first launched', async () => {
      const first = new FakePlatform({ stateDir: dir });
      await first.connect();
      const instance = await first.launch(spec());
      const image = await instance.publish({ aliases: ['fake/kept'], properties: {} });
      assert.deepEqual(await readdir(join(dir, 'instances')), ['fake-one.json']);
      assert.ok(existsSync(join(dir, 'images.json')));

      const second = new FakePlatform({ stateDir: dir });
      const [summary] = await second.listByLabel({ 'cloudproof.run': 'r1' });
      assert.deepEqual({ name: summary?.name, labels: summary?.labels, status: summary?.status }, { name: 'fake-one', labels: spec().labels, status: 'Stopped' });
      assert.equal((await second.resolveImage('fake/kept')).fingerprint, image.fingerprint);
      await second.destroy('fake-one');
      await second.destroy('fake-one');
      assert.deepEqual(await first.listByLabel({}), []);
      await assert.rejects(instance.pull('/etc/hostname'), { code: 'PLATFORM_API' }, 'the first sees it gone');
      await instance.delete();
    });
  });

  describe('the driver', () => {
    it('offers every capability but ssh, takes no settings and needs no setup', () => {
      assert.deepEqual(fake.capabilities, ['reboot', 'publish', 'console-log', 'image-import', 'out-of-band-exec', 'vendor-data', 'meta-data', 'network-config', 'preboot-files']);
      assert.throws(() => fake.create({ env: {}, settings: { pool: 'x' }, stateDir: dir }), { code: 'USAGE' });
      assert.deepEqual(fake.setupSteps({ env: {}, settings: {}, stateDir: dir }), []);
      const platform = fake.create({ env: {}, settings: {}, stateDir: dir });
      assert.deepEqual([...platform.capabilities], fake.capabilities);
      assert.deepEqual(platform.limits, { userDataBytes: 16384, defaultConcurrency: 2, maxConcurrency: 8, bootTimeoutFactor: 1 });
    });
  });
});
