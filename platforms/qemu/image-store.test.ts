import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QemuImageStore, type ImageFiles } from './image-store.js';

const fingerprintOf = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('QemuImageStore', () => {
  let stateDir: string;
  let workDir: string;
  let store: QemuImageStore;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'cloudproof-qemu-state-'));
    workDir = await mkdtemp(join(tmpdir(), 'cloudproof-qemu-work-'));
    store = new QemuImageStore(stateDir);
  });

  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  });

  /** A packed image's three files in a work dir of their own, the disk holding `disk`. */
  async function packed(disk: string): Promise<ImageFiles> {
    const dir = await mkdtemp(join(workDir, 'pack-'));
    const files = { disk: join(dir, 'disk.qcow2'), kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img') };
    await writeFile(files.disk, disk);
    await writeFile(files.kernel, `kernel of ${disk}`);
    await writeFile(files.initrd, `initrd of ${disk}`);
    return files;
  }

  async function add(disk: string, aliases: readonly string[], properties: Record<string, string> = {}) {
    return store.add({ files: await packed(disk), fingerprint: fingerprintOf(disk), aliases, properties, description: `image ${disk}` });
  }

  it('moves the files into images/<fingerprint>/ and lists the image with its first alias as ref', async () => {
    const files = await packed('disk one');
    const fingerprint = fingerprintOf('disk one');

    const image = await store.add({ files, fingerprint, aliases: ['cloudproof/debian/bookworm'], properties: { os: 'debian' }, description: 'Debian bookworm' });

    assert.equal(image.ref, 'cloudproof/debian/bookworm');
    assert.equal(image.fingerprint, fingerprint);
    assert.deepEqual(image.properties, { os: 'debian', description: 'Debian bookworm' });
    assert.equal(image.sizeBytes, 'disk one'.length);
    assert.ok(!Number.isNaN(Date.parse(image.createdAt)) && image.createdAt.endsWith('Z'));
    assert.ok(!('files' in image), 'the files stay the store\'s business');
    await assert.rejects(access(files.disk), { code: 'ENOENT' }, 'moved, not copied');

    const paths = await store.paths(fingerprint);
    const folder = join(stateDir, 'images', fingerprint);
    assert.deepEqual(paths, { disk: join(folder, 'disk.qcow2'), kernel: join(folder, 'vmlinuz'), initrd: join(folder, 'initrd.img') });
    assert.equal(await readFile(paths.disk, 'utf8'), 'disk one');
    assert.equal(await readFile(paths.kernel, 'utf8'), 'kernel of disk one');
    assert.equal(await readFile(paths.initrd, 'utf8'), 'initrd of disk one');
    assert.deepEqual(await readdir(join(stateDir, 'images')), [fingerprint], 'no staging folder left');
    assert.deepEqual(await store.list(), [image]);
  });

  it('keeps the list in images.json, with each image\'s files relative to its folder, for any store on the folder', async () => {
    const image = await add('disk one', ['one']);

    const saved = JSON.parse(await readFile(join(stateDir, 'images.json'), 'utf8')) as { files: ImageFiles }[];
    assert.deepEqual(saved.map((entry) => entry.files), [{ disk: 'disk.qcow2', kernel: 'vmlinuz', initrd: 'initrd.img' }]);
    assert.deepEqual(await new QemuImageStore(stateDir).list(), [image]);
    assert.deepEqual(await readdir(stateDir), ['images', 'images.json'], 'no lock or temporary file left');
  });

  it('finds by alias, by fingerprint and by a prefix that names one image, with ref as asked', async () => {
    const one = await add('disk one', ['one', 'shared']);
    const two = await add('disk two', ['two']);

    assert.equal((await store.find('one'))?.fingerprint, one.fingerprint);
    assert.equal((await store.find('one'))?.ref, 'one');
    assert.equal((await store.find(two.fingerprint))?.ref, two.fingerprint);
    assert.equal((await store.find(two.fingerprint.slice(0, 12)))?.fingerprint, two.fingerprint);
    assert.equal(await store.find('nothing'), undefined);
    assert.equal(await store.find(''), undefined);
    assert.ok(!('files' in ((await store.find('one')) ?? {})));
    assert.equal(await store.paths(fingerprintOf('no such disk')), undefined);
  });

  it('moves an alias to the newest image that takes it; an image without aliases is listed by fingerprint', async () => {
    const old = await add('disk old', ['cloudproof/debian/bookworm', 'old']);
    const made = await add('disk new', ['cloudproof/debian/bookworm']);

    assert.equal((await store.find('cloudproof/debian/bookworm'))?.fingerprint, made.fingerprint);
    const listing = await store.list();
    assert.deepEqual(listing.map((image) => [image.ref, image.aliases]), [['old', ['old']], ['cloudproof/debian/bookworm', ['cloudproof/debian/bookworm']]]);

    await add('disk newer', ['cloudproof/debian/bookworm', 'old']);
    const stripped = (await store.list()).find((image) => image.fingerprint === old.fingerprint);
    assert.deepEqual(stripped?.aliases, []);
    assert.equal(stripped?.ref, old.fingerprint);
  });

  it('merges aliases and properties when the same image comes again, keeping the files and facts it has', async () => {
    const first = await add('same disk', ['a'], { os: 'debian', release: 'bookworm' });
    const again = await packed('same disk');
    await writeFile(again.kernel, 'another kernel');

    const merged = await store.add({ files: again, fingerprint: first.fingerprint, aliases: ['b'], properties: { release: 'trixie' }, description: 'again' });

    assert.deepEqual(merged.aliases, ['a', 'b']);
    assert.deepEqual(merged.properties, { os: 'debian', release: 'trixie', description: 'again' });
    assert.equal(merged.createdAt, first.createdAt);
    assert.equal((await store.list()).length, 1);
    const paths = await store.paths(first.fingerprint);
    assert.equal(await readFile(paths!.kernel, 'utf8'), 'kernel of same disk');
    assert.deepEqual(await readdir(join(stateDir, 'images')), [first.fingerprint]);
  });

  it('deletes an image and its folder, idempotently', async () => {
    const one = await add('disk one', ['one']);
    const two = await add('disk two', ['two']);

    await store.delete(one.fingerprint);
    await store.delete(one.fingerprint);
    await store.delete(fingerprintOf('never there'));

    assert.deepEqual((await store.list()).map((image) => image.fingerprint), [two.fingerprint]);
    assert.deepEqual(await readdir(join(stateDir, 'images')), [two.fingerprint]);
    assert.equal(await store.paths(one.fingerprint), undefined);
  });

  it('loses no change when adds and deletes overlap, from one store or two on the same folder', async () => {
    const other = new QemuImageStore(stateDir);
    const disks = ['a', 'b', 'c', 'd', 'e', 'f'];
    await Promise.all(disks.map(async (disk, index) => {
      const files = await packed(disk);
      await (index % 2 === 0 ? store : other).add({ files, fingerprint: fingerprintOf(disk), aliases: [disk], properties: {}, description: disk });
    }));
    assert.deepEqual((await store.list()).map((image) => image.ref).sort(), disks);

    await Promise.all(['a', 'c'].map((disk, index) => (index === 0 ? store : other).delete(fingerprintOf(disk))));
    assert.deepEqual((await other.list()).map((image) => image.ref).sort(), ['b', 'd', 'e', 'f']);
  });

  it('takes over a lock its dead holder left', async () => {
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, 'images.lock'), '2147483646');

    const image = await add('disk one', ['one']);

    assert.equal((await store.find('one'))?.fingerprint, image.fingerprint);
  });

  it('replaces a folder that no list names (a killed add left it) with the image\'s files', async () => {
    const fingerprint = fingerprintOf('disk one');
    await mkdir(join(stateDir, 'images', fingerprint), { recursive: true });
    await writeFile(join(stateDir, 'images', fingerprint, 'disk.qcow2'), 'half a disk');

    await add('disk one', ['one']);

    assert.equal(await readFile((await store.paths(fingerprint))!.disk, 'utf8'), 'disk one');
  });

  it('refuses a fingerprint that is not a sha256, and files that are not there, leaving nothing behind', async () => {
    await assert.rejects(store.add({ files: await packed('x'), fingerprint: '../x', aliases: [], properties: {}, description: '' }), { code: 'INTERNAL' });
    const missing = { disk: join(workDir, 'none.qcow2'), kernel: join(workDir, 'none'), initrd: join(workDir, 'none.img') };
    await assert.rejects(store.add({ files: missing, fingerprint: fingerprintOf('x'), aliases: [], properties: {}, description: '' }), { code: 'PLATFORM_API' });
    assert.deepEqual(await readdir(join(stateDir, 'images')), []);
    assert.deepEqual(await store.list(), []);
  });

  it('says a damaged list is damaged, and how to recover', async () => {
    await writeFile(join(stateDir, 'images.json'), '{"not": "a list"}');
    await assert.rejects(store.list(), (error: unknown) => {
      assert.match((error as Error).message, /images\.json is damaged: not a list of images/);
      assert.match((error as { hint: string }).hint, /remove it/);
      return true;
    });
  });
});
