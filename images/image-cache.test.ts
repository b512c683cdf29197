import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  byAliasDir,
  forgetImageFacts,
  imageSchemaPath,
  mountPointsUnder,
  saveImageFacts,
} from './image-cache.js';

describe('image cache', () => {
  it('finds mounts left under a work dir, and only those', () => {
    const mountinfo = [
      '22 1 0:21 / /proc rw,nosuid - proc proc rw',
      '90 22 0:21 / /cache/build-ab/rootfs/proc rw - proc proc rw',
      '91 22 0:5 / /cache/build-ab/rootfs/dev/pts rw - devpts devpts rw',
      '92 22 0:5 / /cache/build-abc/rootfs/dev rw - devtmpfs udev rw',
      '93 22 0:5 / /cache/build-ab/with\\040space rw - tmpfs tmpfs rw',
      '',
    ].join('\n');
    assert.deepEqual(mountPointsUnder('/cache/build-ab', mountinfo), [
      '/cache/build-ab/rootfs/proc',
      '/cache/build-ab/rootfs/dev/pts',
      '/cache/build-ab/with space',
    ]);
  });

  describe('image facts', () => {
    let cacheDir: string;
    beforeEach(async () => {
      cacheDir = await mkdtemp(join(tmpdir(), 'cloudproof-cache-'));
    });
    afterEach(async () => {
      await rm(cacheDir, { recursive: true, force: true });
    });

    it('keeps the package list and schema by fingerprint and by alias', async () => {
      await saveImageFacts(cacheDir, { fingerprint: 'abc', alias: 'cloudproof/debian/bookworm', packageList: 'a 1\n', schema: '{}' });

      assert.equal(imageSchemaPath(cacheDir, 'abc'), join(cacheDir, 'abc', 'schema-cloud-config-v1.json'));
      const aliasDir = byAliasDir(cacheDir, 'cloudproof/debian/bookworm');
      assert.equal(aliasDir, join(cacheDir, 'by-alias', 'cloudproof_debian_bookworm'));
      assert.equal(await readFile(join(aliasDir, 'packages.txt'), 'utf8'), 'a 1\n');
      assert.equal(await readFile(join(aliasDir, 'fingerprint'), 'utf8'), 'abc\n');
    });

    it('does not let a schema outlive the image it came from', async () => {
      const alias = 'cloudproof/debian/bullseye';
      await saveImageFacts(cacheDir, { fingerprint: 'old', alias, packageList: '', schema: '{}' });
      await saveImageFacts(cacheDir, { fingerprint: 'new', alias, packageList: '', schema: undefined });
      await forgetImageFacts(cacheDir, 'old');

      assert.equal(imageSchemaPath(cacheDir, 'old'), undefined);
      assert.equal(imageSchemaPath(cacheDir, 'new'), undefined);
      assert.ok(!existsSync(join(byAliasDir(cacheDir, alias), 'schema-cloud-config-v1.json')));
    });
  });
});
