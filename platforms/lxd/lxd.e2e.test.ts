import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create as createTar } from 'tar';
import { generateAccessKey } from '../../core/access-key.js';
import { HarnessError } from '../../core/errors.js';
import type { ImageInfo, Instance, LaunchSpec, Labels, Platform } from '../types.js';
import { readBootId } from '../wait/index.js';
import lxd from './index.js';
import { SEED_IDENTITY, SEED_PROPERTY } from './seed-templates.js';

/**
 * The LXD driver against the real daemon on this machine. Needs a running LXD with a storage
 * pool (`npx harness setup`) and a bootable image with cloud-init; CI builds
 * cloudproof/debian/bookworm, CLOUDPROOF_TEST_IMAGE names another.
 */
const IMAGE_REF = process.env.CLOUDPROOF_TEST_IMAGE ?? 'cloudproof/debian/bookworm';
const RUN = `e2e-${process.pid}-${randomBytes(3).toString('hex')}`;
const LABELS: Labels = { 'cloudproof.run': RUN, 'cloudproof.suite': 'lxd-e2e' };
const USER_DATA = '#cloud-config\nwrite_files:\n  - path: /var/tmp/from-user-data\n    content: seeded\n';
const ACCESS_KEY = generateAccessKey(`cloudproof-${RUN}`);
const SEED_DIR = '/var/lib/cloud/seed/nocloud-net';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const isCode = (code: string) => (error: unknown): boolean => error instanceof HarnessError && error.code === code;

describe('@e2e LXD platform driver', function () {
  this.timeout(120_000);
  let platform: Platform;
  let image: ImageInfo;
  let instance: Instance;
  let counter = 0;
  const nextName = (): string => `cp-${RUN}-${++counter}`;
  const imagesMade: string[] = [];
  const launchSpec = (extra: Partial<LaunchSpec> = {}): LaunchSpec => ({
    name: nextName(),
    imageFingerprint: image.fingerprint,
    userData: USER_DATA,
    accessKey: ACCESS_KEY,
    labels: LABELS,
    ...extra,
  });
  const run = async (on: Instance, script: string): Promise<string> => {
    const result = await on.exec({ command: ['sh', '-c', script], timeoutMs: 90_000 });
    assert.equal(result.exitCode, 0, `${script}: exit ${result.exitCode}\n${result.stdout.toString()}${result.stderr.toString()}`);
    return result.stdout.toString();
  };

  before(async function () {
    platform = lxd.create({ env: process.env, settings: {}, stateDir: join(tmpdir(), 'cloudproof-lxd-e2e-state') });
    await platform.connect();
    const found = await platform.findImage(IMAGE_REF);
    if (found === undefined) {
      console.warn(`    skipped: LXD has no image "${IMAGE_REF}" (build it, or set CLOUDPROOF_TEST_IMAGE to an image LXD has)`);
      this.skip();
    }
    image = found;
    instance = await platform.launch(launchSpec());
  });

  after(async function () {
    if (platform === undefined) return;
    const failures: unknown[] = [];
    for (const fingerprint of imagesMade) await platform.deleteImage(fingerprint).catch((error: unknown) => failures.push(error));
    // By label, not from memory: whatever a failed test launched is found too.
    for (const leftover of await platform.listByLabel({ 'cloudproof.run': RUN })) {
      await platform.destroy(leftover.name).catch((error: unknown) => failures.push(error));
    }
    await platform.close();
    if (failures.length > 0) throw new AggregateError(failures, 'cleaning up after the LXD e2e tests failed');
  });

  describe('exec', () => {
    it('runs argv as given, without a shell splitting it', async () => {
      const result = await instance.exec({ command: ['printf', '%s|', 'a b', '$HOME', "it's"] });
      assert.equal(result.exitCode, 0);
      assert.equal(result.stdout.toString(), "a b|$HOME|it's|");
      assert.equal(result.stderr.length, 0);
    });

    it('feeds stdin to `sh -s` and keeps stdout and stderr apart', async () => {
      const result = await instance.exec({ command: ['sh', '-s'], stdin: 'echo $((6 * 7))\necho "$GREETING" >&2\npwd\nexit 5\n', env: { GREETING: 'hi' }, cwd: '/var/tmp' });
      assert.equal(result.exitCode, 5);
      assert.equal(result.stdout.toString(), '42\n/var/tmp\n');
      assert.equal(result.stderr.toString(), 'hi\n');
    });

    it('reports exit codes, 127 for a command that does not exist', async () => {
      assert.equal((await instance.exec({ command: ['true'] })).exitCode, 0);
      assert.equal((await instance.exec({ command: ['sh', '-c', 'exit 3'] })).exitCode, 3);
      const missing = await instance.exec({ command: ['no-such-command-anywhere'] });
      assert.equal(missing.exitCode, 127);
      assert.ok(missing.stderr.length > 0, 'says why on stderr');
    });

    it('carries 10 MB of binary stdout intact', async () => {
      const made = await instance.exec({ command: ['sh', '-c', 'head -c 10485760 /dev/urandom > /var/tmp/big && sha256sum /var/tmp/big'] });
      assert.equal(made.exitCode, 0, made.stderr.toString());
      try {
        const result = await instance.exec({ command: ['cat', '/var/tmp/big'] });
        assert.equal(result.stdout.length, 10_485_760);
        assert.equal(sha256(result.stdout), made.stdout.toString().split(' ')[0]);
      } finally {
        await instance.exec({ command: ['rm', '-f', '/var/tmp/big'] });
      }
    });

    it('takes the output from files in the instance, not from the sockets LXD 5.0 loses it on, and leaves none of them', async () => {
      // A background process holding the command's stdout would keep a socket open for its 60 s.
      const started = Date.now();
      const result = await instance.exec({ command: ['sh', '-c', 'echo out; echo err >&2; sleep 60 & exit 4'], timeoutMs: 90_000 });
      assert.ok(Date.now() - started < 30_000, `waited ${Date.now() - started} ms for the background sleep`);
      assert.deepEqual([result.exitCode, result.stdout.toString(), result.stderr.toString()], [4, 'out\n', 'err\n']);
      await instance.exec({ command: ['pkill', '-x', 'sleep'] });
      // The two files of the listing's own exec are the only ones there.
      assert.equal((await instance.exec({ command: ['sh', '-c', 'ls -a /var/tmp | grep -c cloudproof-exec'] })).stdout.toString(), '2\n');
    });

    it('carries binary stdin intact', async () => {
      const bytes = randomBytes(3 * 1024 * 1024);
      const result = await instance.exec({ command: ['sha256sum'], stdin: bytes });
      assert.equal(result.stdout.toString().split(' ')[0], sha256(bytes));
    });

    it('kills a command that outlives its timeout, throws EXEC_TIMEOUT, and the next exec works', async () => {
      const started = Date.now();
      await assert.rejects(instance.exec({ command: ['sleep', '60'], timeoutMs: 1_000 }), isCode('EXEC_TIMEOUT'));
      assert.ok(Date.now() - started < 5_000, `returned after ${Date.now() - started} ms`);
      const after = Date.now();
      assert.equal((await instance.exec({ command: ['true'] })).exitCode, 0);
      assert.ok(Date.now() - after < 3_000, `the exec after a timeout took ${Date.now() - after} ms`);
      assert.equal((await instance.exec({ command: ['pgrep', '-x', 'sleep'] })).exitCode, 1, 'the timed-out sleep is gone');
      assert.equal((await instance.exec({ command: ['sh', '-c', 'ls -a /var/tmp | grep -c cloudproof-exec'] })).stdout.toString(), '2\n', 'the timed-out command left its output files');
    });

    it('stops on abort with ABORTED', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      await assert.rejects(instance.exec({ command: ['sleep', '60'], signal: controller.signal }), isCode('ABORTED'));
      assert.equal((await instance.exec({ command: ['true'] })).exitCode, 0);
    });
  });

  describe('files', () => {
    const path = '/var/tmp/cloudproof-push';
    afterEach(() => instance.exec({ command: ['rm', '-f', path, `${path}.link`] }));

    it('pushes and pulls bytes back unchanged, with the mode asked for, also over an existing file', async () => {
      const bytes = Uint8Array.from({ length: 256 * 4 }, (_, index) => index % 256);
      await instance.push(path, bytes, { mode: 0o640 });
      assert.deepEqual(await instance.pull(path), Buffer.from(bytes));
      assert.equal((await instance.exec({ command: ['stat', '-c', '%a %u', path] })).stdout.toString(), '640 0\n');

      await instance.push(path, 'second\n', { mode: 0o600, uid: 1000, gid: 1000 });
      assert.equal((await instance.pull(path))?.toString(), 'second\n');
      assert.equal((await instance.exec({ command: ['stat', '-c', '%a %u %g', path] })).stdout.toString(), '600 1000 1000\n');
    });

    it('pulls through a symlink', async () => {
      await instance.push(path, 'target');
      await instance.exec({ command: ['ln', '-s', path, `${path}.link`] });
      assert.equal((await instance.pull(`${path}.link`))?.toString(), 'target');
    });

    it('pulls undefined for a file that does not exist', async () => {
      assert.equal(await instance.pull('/var/tmp/no-such-file-here'), undefined);
    });

    it('says that push makes no directories', async () => {
      await assert.rejects(instance.push('/var/tmp/no-such-dir/file', 'x'), (error: unknown) => isCode('PLATFORM_API')(error) && /mkdir/.test((error as HarnessError).hint ?? ''));
    });
  });

  describe('instances', () => {
    it('served the user-data to cloud-init', async () => {
      const result = await instance.exec({ command: ['cloud-init', 'status', '--wait'], timeoutMs: 90_000 });
      assert.ok([0, 2].includes(result.exitCode), `cloud-init status: ${result.stdout.toString()}${result.stderr.toString()}`);
      assert.equal((await instance.pull('/var/tmp/from-user-data'))?.toString().trim(), 'seeded');
    });

    it('lists the instance by its labels, with all of them', async () => {
      const found = await platform.listByLabel({ 'cloudproof.run': RUN });
      const summary = found.find((candidate) => candidate.name === instance.name);
      assert.ok(summary, `listByLabel missed ${instance.name}`);
      assert.deepEqual({ ...summary.labels }, { ...LABELS });
      assert.equal(summary.status, 'Running');
      assert.deepEqual(await platform.listByLabel({ 'cloudproof.run': `${RUN}-other` }), []);
    });

    it('keeps the console output across reads', async () => {
      const first = await instance.consoleLog();
      assert.ok(first.length > 0, 'the boot printed nothing on the console');
      assert.ok((await instance.consoleLog()).startsWith(first));
    });

    it('leaves nothing behind when a launch fails (bad fingerprint)', async () => {
      const name = nextName();
      await assert.rejects(platform.launch({ ...launchSpec(), name, imageFingerprint: 'f'.repeat(64) }));
      const everything = await platform.listByLabel({});
      assert.equal(everything.some((summary) => summary.name === name), false);
    });

    it('says IMAGE_NOT_FOUND, with how to build it, for an unknown image', async () => {
      await assert.rejects(platform.resolveImage(`cloudproof/no-such-image-${RUN}`), (error: unknown) => isCode('IMAGE_NOT_FOUND')(error) && /image build/.test((error as HarnessError).hint ?? ''));
    });

    it('restarts into a new boot and keeps the console, publishes a stopped instance as an image that resolves and deletes, and destroys twice', async () => {
      const second = await platform.launch(launchSpec());
      // /run is a fresh tmpfs each boot, so the marker tells a real restart, as the boot id does.
      await second.exec({ command: ['cloud-init', 'status', '--wait'], timeoutMs: 90_000 });
      await second.exec({ command: ['touch', '/run/cloudproof-marker'] });
      const bootBefore = await readBootId(second);
      const consoleBefore = await second.consoleLog();
      await second.restart();
      assert.notEqual(await readBootId(second), bootBefore);
      assert.equal((await second.exec({ command: ['test', '-e', '/run/cloudproof-marker'] })).exitCode, 1);
      assert.ok((await second.consoleLog()).startsWith(consoleBefore), 'the first boot\'s console output was kept');

      const alias = `cloudproof-test/${RUN}`;
      const published = await second.publish({ aliases: [alias], properties: { 'cloudproof.run': RUN } });
      imagesMade.push(published.fingerprint);
      const resolved = await platform.resolveImage(alias);
      assert.equal(resolved.fingerprint, published.fingerprint);
      assert.equal(resolved.properties['cloudproof.run'], RUN);
      assert.deepEqual(resolved.aliases, [alias]);
      assert.equal((await platform.resolveImage(published.fingerprint.slice(0, 12))).fingerprint, published.fingerprint);

      await platform.deleteImage(published.fingerprint);
      assert.equal(await platform.findImage(alias), undefined);

      await second.delete();
      await second.delete();
      await platform.destroy(second.name);
      assert.equal((await platform.listByLabel({ 'cloudproof.run': RUN })).some((summary) => summary.name === second.name), false);
    });
  });

  describe('seed', () => {
    const VENDOR_DATA = '#cloud-config\nbootcmd:\n  - echo from-vendor-data > /run/cloudproof-vendor\n';
    const NETWORK_CONFIG = 'version: 1\nconfig:\n  - type: physical\n    name: cpconf0\n    subnets:\n      - type: manual\n';
    const PROBE = `probe-${RUN}`;
    let seeded: Instance | undefined;

    before(async () => {
      assert.equal(image.properties[SEED_PROPERTY], SEED_IDENTITY, `${IMAGE_REF} was packed with other seed templates than the driver's: rebuild it (npx harness image build --force)`);
      seeded = await platform.launch(launchSpec({ vendorData: VENDOR_DATA, networkConfig: NETWORK_CONFIG, metaData: { cloudproof_probe: PROBE, 'instance-id': 'not-the-platforms' } }));
      await seeded.exec({ command: ['cloud-init', 'status', '--wait'], timeoutMs: 90_000 });
    });
    after(() => seeded?.delete());

    const isSeeded = (): Instance => {
      assert.ok(seeded);
      return seeded;
    };

    it('without vendor-data, meta-data or network-config, serves none of them, and cloud-init boots clean as before', async () => {
      assert.equal((await instance.pull(`${SEED_DIR}/vendor-data`))?.length, 0);
      assert.equal((await instance.pull(`${SEED_DIR}/network-config`))?.length, 0);
      assert.equal((await instance.pull(`${SEED_DIR}/meta-data`))?.toString(), `instance-id: ${instance.name}\nlocal-hostname: ${instance.name}\n`);
      assert.match(await run(instance, 'cloud-init status --wait --long'), /^status: done$/m);
      const log = await run(instance, 'cat /var/log/cloud-init.log');
      assert.doesNotMatch(log, /WARNING|Traceback|Applying network configuration/);
      assert.match(log, /network config is disabled by fallback/);
    });

    it('serves user-data and vendor-data byte for byte, and cloud-init runs both', async () => {
      const on = isSeeded();
      assert.equal((await on.pull(`${SEED_DIR}/user-data`))?.toString(), USER_DATA);
      assert.equal((await on.pull(`${SEED_DIR}/vendor-data`))?.toString(), VENDOR_DATA);
      assert.equal((await run(on, 'cloud-init query userdata')).trimEnd(), USER_DATA.trimEnd());
      assert.equal((await run(on, 'cloud-init query vendordata')).trimEnd(), VENDOR_DATA.trimEnd());
      assert.equal((await on.pull('/run/cloudproof-vendor'))?.toString(), 'from-vendor-data\n');
      assert.equal((await on.pull('/var/tmp/from-user-data'))?.toString().trim(), 'seeded');
    });

    it("serves the launch's meta-data keys, with the instance name as instance-id and hostname", async () => {
      const on = isSeeded();
      assert.equal((await run(on, 'cloud-init query ds.meta_data.cloudproof_probe')).trim(), PROBE);
      const metaData = JSON.parse(await run(on, 'cloud-init query ds.meta_data')) as Record<string, unknown>;
      assert.equal(metaData['instance-id'], on.name);
      assert.equal(metaData['local-hostname'], on.name);
    });

    it('has cloud-init apply the network config, and finish done', async () => {
      const on = isSeeded();
      const log = await run(on, 'cat /var/log/cloud-init.log');
      assert.match(log, /Applying network configuration from ds .*'name': 'cpconf0'/);
      assert.doesNotMatch(log, /WARNING|Traceback/);
      assert.match(await run(on, 'cloud-init status --wait --long'), /^status: done$/m);
    });

    it('keeps its seed out of the labels', async () => {
      const summary = (await platform.listByLabel({ 'cloudproof.run': RUN })).find((candidate) => candidate.name === isSeeded().name);
      assert.deepEqual({ ...summary?.labels }, { ...LABELS });
    });
  });

  describe('image import', () => {
    let work: string;
    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'cloudproof-import-'));
    });
    after(() => rm(work, { recursive: true, force: true }));

    /** A unified tarball LXD accepts; it need not boot to test the import itself. */
    async function tinyTarball(marker: string): Promise<string> {
      const tree = join(work, marker);
      await mkdir(join(tree, 'rootfs', 'etc'), { recursive: true });
      await writeFile(join(tree, 'rootfs', 'etc', 'marker'), marker);
      await writeFile(join(tree, 'metadata.yaml'), `architecture: x86_64\ncreation_date: ${Math.floor(Date.now() / 1000)}\nproperties:\n  description: cloudproof import test\n`);
      const file = join(work, `${marker}.tar`);
      await createTar({ file, cwd: tree, portable: true }, ['metadata.yaml', 'rootfs']);
      return file;
    }

    const tarball = (path: string) => ({ kind: 'image-file', format: 'lxd-unified-tarball', path }) as const;
    const packDirs = async (): Promise<string[]> => (await readdir(tmpdir())).filter((name) => name.startsWith('cloudproof-lxd-pack-'));

    it('packs a root filesystem with its seed templates and imports it, leaving no temp dir', async () => {
      const tree = join(work, 'tree');
      await mkdir(join(tree, 'etc'), { recursive: true });
      await writeFile(join(tree, 'etc', 'marker'), 'tree');
      const before = await packDirs();
      const imported = await platform.importImage({
        artifact: { kind: 'rootfs', dir: tree, architecture: 'amd64', os: 'debian', release: 'tiny', description: 'cloudproof rootfs import test' },
        aliases: [`cloudproof-test/rootfs-${RUN}`],
        properties: { 'cloudproof.recipe': 'tiny' },
      });
      imagesMade.push(imported.fingerprint);
      assert.deepEqual({ ...imported.properties }, {
        os: 'debian',
        release: 'tiny',
        architecture: 'amd64',
        description: 'cloudproof rootfs import test',
        'cloudproof.recipe': 'tiny',
        [SEED_PROPERTY]: SEED_IDENTITY,
      });
      assert.deepEqual(await packDirs(), before);
    });

    it('refuses an image file in a format it does not read with NOT_SUPPORTED', async () => {
      await assert.rejects(platform.importImage({ artifact: { kind: 'image-file', format: 'qcow2', path: await tinyTarball('qcow') }, aliases: [], properties: {} }), isCode('NOT_SUPPORTED'));
    });

    it('imports a tarball with aliases and properties, moves an alias to a newer image, takes the same tarball twice', async () => {
      const alias = `cloudproof-test/import-${RUN}`;
      const first = await platform.importImage({ artifact: tarball(await tinyTarball('one')), aliases: [alias], properties: { recipe: 'one' } });
      imagesMade.push(first.fingerprint);
      assert.equal(first.properties.recipe, 'one');
      assert.deepEqual(first.aliases, [alias]);

      const secondPath = await tinyTarball('two');
      const second = await platform.importImage({ artifact: tarball(secondPath), aliases: [alias], properties: { recipe: 'two' } });
      imagesMade.push(second.fingerprint);
      assert.notEqual(second.fingerprint, first.fingerprint);
      assert.equal((await platform.resolveImage(alias)).fingerprint, second.fingerprint);

      const again = await platform.importImage({ artifact: tarball(secondPath), aliases: [alias], properties: { rebuilt: 'yes' } });
      assert.equal(again.fingerprint, second.fingerprint);
      assert.equal(again.properties.rebuilt, 'yes');
      assert.ok((await platform.listImages()).some((listed) => listed.fingerprint === first.fingerprint));
    });

    it('says IMAGE_NOT_FOUND for an artifact that is not there', async () => {
      await assert.rejects(platform.importImage({ artifact: tarball(join(work, 'missing.tar')), aliases: [], properties: {} }), isCode('IMAGE_NOT_FOUND'));
    });
  });
});
