import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { debianRecipe } from './debian/recipe.js';
import { lxdRootfsDir, writeLxdTarball } from './lxd-tarball.js';

describe('writeLxdTarball', () => {
  let workDir: string;

  beforeEach(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'cloudproof-tarball-'));
    const rootfs = lxdRootfsDir(workDir);
    await mkdir(join(rootfs, 'etc/cloud/cloud.cfg.d'), { recursive: true });
    await writeFile(join(rootfs, 'etc/hostname'), 'localhost\n');
    await writeFile(join(rootfs, 'etc/machine-id'), '');
    await writeFile(join(rootfs, 'etc/cloud/cloud.cfg.d/90_cloudproof.cfg'), 'datasource_list: [NoCloud, None]\n');
    await symlink('/proc/self/mounts', join(rootfs, 'etc/mtab'));
  });

  afterEach(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('packs metadata.yaml, the seed templates and the tree into one tarball', async () => {
    const recipe = debianRecipe('bookworm', 'x64');
    const artifact = await writeLxdTarball(workDir, recipe.lxd, { creationDate: new Date(1_700_000_000_000) });

    assert.equal(artifact.kind, 'lxd-unified-tarball');
    const { stdout } = await execa('tar', ['-tvf', artifact.path, '--numeric-owner']);
    const entries = stdout.split('\n').map((line) => line.split(/\s+/).slice(5).join(' '));
    const names = entries.map((entry) => entry.replace(/ -> .*$/, ''));
    assert.ok(names.includes('metadata.yaml'));
    for (const template of ['cloud-init-meta.tpl', 'cloud-init-user.tpl', 'cloud-init-vendor.tpl']) {
      assert.ok(names.includes(`templates/${template}`), `templates/${template} in ${names.join(', ')}`);
    }
    assert.ok(names.includes('rootfs/etc/hostname'));
    assert.ok(names.includes('rootfs/etc/machine-id'));
    assert.ok(names.includes('rootfs/etc/cloud/cloud.cfg.d/90_cloudproof.cfg'));
    assert.ok(entries.includes('rootfs/etc/mtab -> /proc/self/mounts'), 'symlinks stay symlinks');
    assert.ok(names.every((name) => /^(metadata\.yaml|templates\/|rootfs\/)/.test(name)), names.join(', '));
  });

  it('writes a metadata.yaml LXD reads: architecture, date, properties, seed triggers', async () => {
    const recipe = debianRecipe('bookworm', 'x64');
    const artifact = await writeLxdTarball(workDir, recipe.lxd, { creationDate: new Date(1_700_000_000_000) });

    const { stdout } = await execa('tar', ['-xOf', artifact.path, 'metadata.yaml']);
    const metadata = parse(stdout) as {
      architecture: string;
      creation_date: number;
      properties: Record<string, string>;
      templates: Record<string, { when: string[]; template: string; properties?: Record<string, string> }>;
    };
    assert.equal(metadata.architecture, 'x86_64');
    assert.equal(metadata.creation_date, 1_700_000_000);
    assert.equal(metadata.properties.os, 'debian');
    assert.equal(metadata.properties.release, 'bookworm');
    assert.equal(metadata.properties.architecture, 'amd64');
    const seed = '/var/lib/cloud/seed/nocloud-net';
    assert.deepEqual(Object.keys(metadata.templates).sort(), [
      `${seed}/meta-data`,
      `${seed}/user-data`,
      `${seed}/vendor-data`,
    ]);
    for (const entry of Object.values(metadata.templates)) assert.deepEqual(entry.when, ['create', 'copy']);
    assert.equal(metadata.templates[`${seed}/user-data`]?.properties?.default, '#cloud-config\n{}\n');

    const { stdout: userTemplate } = await execa('tar', ['-xOf', artifact.path, 'templates/cloud-init-user.tpl'], {
      stripFinalNewline: false,
    });
    assert.equal(userTemplate, '{{ config_get("cloud-init.user-data", properties.default) }}\n');
  });

  it('refuses a work dir without a tree', async () => {
    await rm(lxdRootfsDir(workDir), { recursive: true });
    await assert.rejects(writeLxdTarball(workDir, debianRecipe('bookworm', 'x64').lxd), { code: 'IMAGE_BUILD' });
  });
});
