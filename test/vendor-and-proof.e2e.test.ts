import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { lxdForTests } from './lxd-for-tests.js';
import type { RunManifest } from '../results-schema/run-manifest.js';
import { LABEL_MANAGED, LABEL_RUN } from '../core/run-id.js';
import { generateAccessKey } from '../core/access-key.js';

const ROOT = join(import.meta.dirname, '..');
const HARNESS = join(ROOT, 'harness', 'bin.js');
const harness = (args: string[], cwd = ROOT) => execa('node', [HARNESS, ...args], { reject: false, cwd, env: { CI: 'true' }, all: true });
const manifestIn = async (results: string): Promise<RunManifest> => {
  const [runId] = await readdir(results);
  return JSON.parse(await readFile(join(results, runId!, 'run.json'), 'utf8')) as RunManifest;
};

describe('vendors: their cases and expectations beside ours, and harness proof @e2e', function () {
  this.timeout(15 * 60_000);
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-vendor-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("runs a vendor's own case and expectations, kept outside the repo, next to ours", async () => {
    // The vendor depends on us as a package and imports the checks API through its subpath export.
    await mkdir(join(work, 'node_modules'), { recursive: true });
    await symlink(ROOT, join(work, 'node_modules', 'cloudproof'));
    await mkdir(join(work, 'cases'));
    await writeFile(
      join(work, 'cases', 'vendor_motd.yaml'),
      ['description: the vendor brands the message of the day', 'tags: [vendor]', 'cloud_config:', '  write_files:', '    - path: /etc/motd', '      content: "Welcome to {{brand}}\\n"', 'collect:', '  files: [/etc/motd]', ''].join('\n'),
    );
    await writeFile(
      join(work, 'cases', 'vendor_motd.checks.ts'),
      [
        "import assert from 'node:assert/strict';",
        "import { describeCase } from 'cloudproof/testcases/api';",
        "describeCase('vendor_motd', (cell) => {",
        "  it('shows the brand', () => assert.equal(cell.file('/etc/motd'), `Welcome to {{brand}}\\n`.replace('{{brand}}', cell.fact('brand'))));",
        '});',
        '',
      ].join('\n'),
    );
    // The cloud-config writes the literal text; the vendor's fact says what it must read.
    await writeFile(
      join(work, 'expectations.yaml'),
      ['cases:', '  vendor_motd:', '    facts: {brand: "{{brand}}"}', '  timezone:', '    skip: our image ships without tzdata', ''].join('\n'),
    );
    const results = join(work, 'results');
    const result = await harness(
      ['run', '--testcases', join(ROOT, 'testcases'), '--testcases', join(work, 'cases'), '--expectations', join(work, 'expectations.yaml'), '--grep', '^(vendor_motd|timezone|clean_boot)$', '--results', results],
      work,
    );
    process.stdout.write(`${result.all}\n`);
    assert.equal(result.exitCode, 0);
    const manifest = await manifestIn(results);
    const verdict = (name: string) => manifest.cells.find((cell) => cell.case === name);
    assert.equal(verdict('vendor_motd')?.verdict, 'passed');
    assert.equal(verdict('clean_boot')?.verdict, 'passed');
    assert.equal(verdict('timezone')?.verdict, 'skipped');
    assert.match(verdict('timezone')?.reason ?? '', /our image ships without tzdata/);
  });

  it('harness proof passes our image and names each finding on an image made dirty on purpose', async () => {
    const clean = await harness(['proof', '--image', 'debian/bookworm', '--results', join(work, 'clean')]);
    process.stdout.write(`${clean.all}\n`);
    assert.equal(clean.exitCode, 0, 'our freshly built image passes proofing');

    // Dirty: an instance that booted once, published without `cloud-init clean`: host keys, machine-id and logs stay.
    const platform = lxdForTests();
    const alias = `cloudproof-test/dirty-${Date.now()}`;
    try {
      const base = await platform.resolveImage('cloudproof/debian/bookworm');
      const instance = await platform.launch({
        name: `cp-e2e-dirty-${Date.now()}`,
        imageFingerprint: base.fingerprint,
        userData: '#cloud-config\n{}\n',
        accessKey: generateAccessKey('cloudproof-e2e'),
        labels: { [LABEL_MANAGED]: 'true', [LABEL_RUN]: 'e2e-dirty-image' },
      });
      try {
        await instance.exec({ command: ['cloud-init', 'status', '--wait'], timeoutMs: 180_000 });
        await instance.exec({ command: ['sh', '-c', 'echo "ls /" > /root/.bash_history'] });
        await instance.publish({ aliases: [alias], properties: { description: 'dirty on purpose' } });
      } finally {
        await instance.delete();
      }
      const dirty = await harness(['proof', '--image', alias, '--results', join(work, 'dirty')]);
      process.stdout.write(`${dirty.all}\n`);
      assert.equal(dirty.exitCode, 1);
      for (const finding of [/ships SSH host keys/, /ships \/etc\/machine-id/, /not cleaned .*instance data of/, /boot\(s\) before this one/, /shell history left/]) {
        assert.match(dirty.all ?? '', finding);
      }
    } finally {
      const image = await platform.findImage(alias);
      if (image) await platform.deleteImage(image.fingerprint);
      await platform.close();
    }
  });
});
