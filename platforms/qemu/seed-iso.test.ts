import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { seedMetaData, writeSeedIso } from './seed-iso.js';

/** The seed ISO read back with isoinfo (genisoimage's own reader), as cloud-init's NoCloud finds it: by volume id. */
describe('@e2e qemu NoCloud seed ISO (genisoimage)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-seed-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const read = async (iso: string, file: string): Promise<string> => (await execa('isoinfo', ['-J', '-i', iso, '-x', `/${file}`])).stdout;
  const listing = async (iso: string): Promise<string[]> => (await execa('isoinfo', ['-J', '-f', '-i', iso])).stdout.split('\n').filter(Boolean).sort();

  it('is labelled cidata and holds the launch\'s parts byte for byte, meta-data with the platform\'s own keys', async () => {
    const iso = join(dir, 'full.iso');
    const userData = '#cloud-config\nruncmd:\n  - echo "ünïcode"\n';
    await writeSeedIso({ name: 'vm-7', userData, vendorData: '#cloud-config\n# vendor\n', networkConfig: 'version: 2\nethernets: {}\n', metaData: { 'instance-id': 'theirs', zone: 'z1' } }, iso);
    assert.match((await execa('isoinfo', ['-d', '-i', iso])).stdout, /^Volume id: cidata$/m);
    assert.deepEqual(await listing(iso), ['/meta-data', '/network-config', '/user-data', '/vendor-data']);
    assert.equal(await read(iso, 'user-data'), userData.trimEnd());
    assert.deepEqual(parse(await read(iso, 'meta-data')), { 'instance-id': 'vm-7', 'local-hostname': 'vm-7', zone: 'z1' });
    assert.equal(await read(iso, 'network-config'), 'version: 2\nethernets: {}');
  });

  it('leaves out what the launch does not give, so that NoCloud serves none', async () => {
    const iso = join(dir, 'bare.iso');
    await writeSeedIso({ name: 'vm-8', userData: '#cloud-config\n' }, iso);
    assert.deepEqual(await listing(iso), ['/meta-data', '/user-data']);
  });
});

describe('qemu NoCloud meta-data', () => {
  const key = { publicKey: 'ssh-ed25519 AAAA run-key' };

  it('authorizes the access key only for a launch over SSH, leaving an out-of-band guest untouched by it', () => {
    assert.deepEqual(seedMetaData({ name: 'vm-1', userData: '', accessKey: key }), { 'instance-id': 'vm-1', 'local-hostname': 'vm-1' });
    assert.deepEqual(seedMetaData({ name: 'vm-1', userData: '', accessKey: key, transport: 'out-of-band' }), { 'instance-id': 'vm-1', 'local-hostname': 'vm-1' });
    assert.deepEqual(seedMetaData({ name: 'vm-1', userData: '', accessKey: key, transport: 'ssh' }), { 'instance-id': 'vm-1', 'local-hostname': 'vm-1', 'public-keys': [key.publicKey] });
  });

  it("keeps the launch's own public-keys, as a key, a list or a map, beside the access key", () => {
    const keysOf = (given: unknown): unknown => seedMetaData({ name: 'vm-1', userData: '', accessKey: key, transport: 'ssh', metaData: { 'public-keys': given } })['public-keys'];
    assert.deepEqual(keysOf('ssh-rsa B case'), ['ssh-rsa B case', key.publicKey]);
    assert.deepEqual(keysOf(['ssh-rsa B case', 'ssh-rsa C case']), ['ssh-rsa B case', 'ssh-rsa C case', key.publicKey]);
    assert.deepEqual(keysOf({ one: 'ssh-rsa B case' }), ['ssh-rsa B case', key.publicKey]);
  });
});
