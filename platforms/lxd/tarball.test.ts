import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import type { RootfsArtifact } from '../types.js';
import { SEED_IDENTITY, SEED_PROPERTY, SEED_TEMPLATE_FILES } from './seed-templates.js';
import { packUnifiedTarball } from './tarball.js';

describe('packUnifiedTarball', () => {
  let rootfs: string;
  let workDir: string;
  const artifact = (architecture = 'amd64'): RootfsArtifact => ({
    kind: 'rootfs',
    dir: rootfs,
    architecture,
    os: 'debian',
    release: 'bookworm',
    description: 'Debian bookworm with cloud-init (test)',
  });

  beforeEach(async () => {
    // The tree lives apart from the work dir and under another name, as images/ leaves it.
    rootfs = await mkdtemp(join(tmpdir(), 'cloudproof-tree-'));
    workDir = await mkdtemp(join(tmpdir(), 'cloudproof-pack-'));
    await mkdir(join(rootfs, 'etc/cloud/cloud.cfg.d'), { recursive: true });
    await mkdir(join(rootfs, 'usr/bin'), { recursive: true });
    await writeFile(join(rootfs, 'etc/hostname'), 'localhost\n');
    await writeFile(join(rootfs, 'etc/machine-id'), '');
    await writeFile(join(rootfs, 'etc/cloud/cloud.cfg.d/90_cloudproof.cfg'), 'datasource_list: [NoCloud, None]\n');
    await symlink('/proc/self/mounts', join(rootfs, 'etc/mtab'));
    await symlink('./hostname', join(rootfs, 'etc/relative-link'));
    await writeFile(join(rootfs, 'usr/bin/perl5'), 'perl');
    await link(join(rootfs, 'usr/bin/perl5'), join(rootfs, 'usr/bin/perl'));
  });

  afterEach(async () => {
    await rm(rootfs, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  });

  async function listing(path: string): Promise<string[]> {
    const { stdout } = await execa('tar', ['-tvf', path, '--numeric-owner']);
    return stdout.split('\n').map((line) => line.split(/\s+/).slice(5).join(' '));
  }

  it('packs metadata.yaml, the seed templates and the tree as rootfs/, links kept as links', async () => {
    const path = await packUnifiedTarball(artifact(), workDir);

    const entries = await listing(path);
    const names = entries.map((entry) => entry.replace(/ (->|link to) .*$/, ''));
    assert.ok(names.includes('metadata.yaml'));
    for (const template of Object.keys(SEED_TEMPLATE_FILES)) {
      assert.ok(names.includes(`templates/${template}`), `templates/${template} in ${names.join(', ')}`);
    }
    assert.ok(names.includes('rootfs/etc/hostname'));
    assert.ok(names.includes('rootfs/etc/machine-id'));
    assert.ok(names.includes('rootfs/etc/cloud/cloud.cfg.d/90_cloudproof.cfg'));
    assert.ok(entries.includes('rootfs/etc/mtab -> /proc/self/mounts'), 'absolute symlink targets stay guest paths');
    assert.ok(entries.includes('rootfs/etc/relative-link -> ./hostname'), 'relative symlink targets are not renamed');
    const hardLink = entries.find((entry) => / link to /.test(entry));
    assert.ok(hardLink !== undefined && /^rootfs\/usr\/bin\/perl5? link to rootfs\/usr\/bin\/perl5?$/.test(hardLink), `hard link: ${hardLink}`);
    assert.ok(names.every((name) => /^(metadata\.yaml|templates\/?|rootfs\/)/.test(name)), names.join(', '));
  });

  it("writes a metadata.yaml LXD reads: LXD's architecture name, date, properties with the seed, templates", async () => {
    const path = await packUnifiedTarball(artifact(), workDir, { creationDate: new Date(1_700_000_000_000) });

    const { stdout } = await execa('tar', ['-xOf', path, 'metadata.yaml']);
    const metadata = parse(stdout) as {
      architecture: string;
      creation_date: number;
      properties: Record<string, string>;
      templates: Record<string, { when: string[]; template: string }>;
    };
    assert.equal(metadata.architecture, 'x86_64');
    assert.equal(metadata.creation_date, 1_700_000_000);
    assert.deepEqual(metadata.properties, {
      os: 'debian',
      release: 'bookworm',
      architecture: 'amd64',
      description: 'Debian bookworm with cloud-init (test)',
      [SEED_PROPERTY]: SEED_IDENTITY,
    });
    const seed = '/var/lib/cloud/seed/nocloud-net';
    assert.deepEqual(Object.keys(metadata.templates).sort(), [`${seed}/meta-data`, `${seed}/network-config`, `${seed}/user-data`, `${seed}/vendor-data`]);
    for (const entry of Object.values(metadata.templates)) assert.deepEqual(entry.when, ['create', 'copy']);

    const { stdout: userTemplate } = await execa('tar', ['-xOf', path, 'templates/cloud-init-user.tpl'], { stripFinalNewline: false });
    assert.equal(userTemplate, SEED_TEMPLATE_FILES['cloud-init-user.tpl']);
  });

  it('maps arm64 to aarch64 and refuses an architecture LXD has no name for here with NOT_SUPPORTED', async () => {
    const path = await packUnifiedTarball(artifact('arm64'), workDir);
    const { stdout } = await execa('tar', ['-xOf', path, 'metadata.yaml']);
    assert.equal((parse(stdout) as { architecture: string }).architecture, 'aarch64');
    await assert.rejects(packUnifiedTarball(artifact('mips64el'), await mkdtemp(join(workDir, 'other-'))), { code: 'NOT_SUPPORTED' });
  });

  it('says IMAGE_NOT_FOUND when the tree is not there', async () => {
    await rm(rootfs, { recursive: true });
    await assert.rejects(packUnifiedTarball(artifact(), workDir), { code: 'IMAGE_NOT_FOUND' });
  });
});
