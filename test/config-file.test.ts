import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const ROOT = join(import.meta.dirname, '..');
const HARNESS = join(ROOT, 'harness', 'bin.js');
const EXAMPLE = join(ROOT, 'examples', 'simulated-cloud', 'index.ts');

/** cloudproof.yaml names the platform once for every command; flags still win. */
describe('harness: the platform from a config file', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-config-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });
  const harness = (...args: string[]) => execa('node', [HARNESS, ...args], { cwd: work, reject: false, all: true, env: { CI: 'true', CLOUDPROOF_CACHE: join(work, 'cache') } });

  it('loads the module ./cloudproof.yaml names, relative to the file, with its options', async () => {
    await writeFile(join(work, 'cloudproof.yaml'), `platform:\n  module: ./driver.ts\n  options: {region: sim-7}\n`);
    // A vendor's driver package: ESM, re-exporting the example driver.
    await writeFile(join(work, 'package.json'), '{"type": "module"}\n');
    await writeFile(join(work, 'driver.ts'), `export { default } from ${JSON.stringify(EXAMPLE)};\n`);
    const result = await harness('conformance', '--image', 'sim/debian-12', '--rule', 'exec.root');
    assert.equal(result.exitCode, 0, result.all);
    assert.match(result.all ?? '', /conformance of simulated-cloud \(simulated cloud, region sim-7\)/);
  });

  it('lets --platform set the file aside', async () => {
    await writeFile(join(work, 'cloudproof.yaml'), `platform:\n  module: ./missing-driver.ts\n`);
    const result = await harness('conformance', '--platform', 'fake', '--rule', 'exec.root');
    assert.equal(result.exitCode, 0, result.all);
    assert.match(result.stdout, /^fake: 1 passed, 0 failed/m);
  });

  it('says in one line which key of the file is wrong, exit 2', async () => {
    const file = join(work, 'other.yaml');
    await writeFile(file, `platform:\n  modul: ./driver.ts\n`);
    const result = await harness('gc', '--config', file, '--dry-run');
    assert.equal(result.exitCode, 2, result.all);
    assert.match(result.stderr.trim(), /^harness: .*other\.yaml: \/platform must NOT have additional properties "modul"/);
  });
});
