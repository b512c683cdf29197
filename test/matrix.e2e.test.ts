import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { lxdForTests } from './lxd-for-tests.js';
import { LABEL_RUN } from '../core/run-id.js';
import type { RunManifest } from '../results-schema/run-manifest.js';

const ROOT = join(import.meta.dirname, '..');
const HARNESS = join(ROOT, 'harness', 'bin.js');
const RELEASES = ['bookworm', 'trixie'] as const;
const MATRIX = RELEASES.flatMap((release) => ['--release', release]);
const harness = (args: string[]) => execa('node', [HARNESS, ...args], { reject: false, env: { CI: 'true' }, all: true });

/**
 * The release matrix for real: images of two Debian releases (cloud-init 22.4 and 25.1),
 * every case on both in one invocation, and a case whose outcome differs between them.
 * `harness setup --release bookworm --release trixie` builds both images beforehand; the
 * first test builds whichever is missing.
 */
describe('release matrix: bookworm and trixie through the CLI @e2e', function () {
  this.timeout(40 * 60_000);
  const platform = lxdForTests();
  let results: string;

  beforeEach(async () => {
    results = await mkdtemp(join(tmpdir(), 'cloudproof-matrix-e2e-'));
  });
  afterEach(async () => {
    await rm(results, { recursive: true, force: true });
  });
  after(async () => {
    await platform.close();
  });

  const runOnce = async (args: string[]) => {
    const result = await harness(['run', '--platform', 'lxd', ...MATRIX, '--concurrency', '2', '--results', results, ...args]);
    process.stdout.write(`${result.all}\n`);
    const [runId] = await readdir(results);
    assert.ok(runId, 'the run wrote no results folder');
    const runDir = join(results, runId);
    const manifest = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as RunManifest;
    assert.deepEqual(await platform.listByLabel({ [LABEL_RUN]: runId }), [], 'instances of the run are left');
    return { result, runDir, manifest, stdout: result.stdout };
  };

  it('harness image build reuses both images the second time and builds nothing', async () => {
    for (const round of [1, 2]) {
      for (const release of RELEASES) {
        const result = await harness(['image', 'build', '--distro', 'debian', '--release', release]);
        assert.equal(result.exitCode, 0, result.all);
        if (round === 2) {
          assert.match(result.stdout, new RegExp(`debian/${release}: reused [0-9a-f]{12} \\(recipe unchanged\\)`), result.all);
          assert.doesNotMatch(result.all ?? '', /building|mmdebstrap|import done/, result.all);
        }
      }
    }
  });

  it('finds the version difference: undeclared, the feature fails on 22.4 on a WARNING though status is done; declared, it is skipped there', async () => {
    const { result, runDir, manifest, stdout } = await runOnce([
      '--testcases', join(ROOT, 'test', 'fixtures', 'matrix'),
      '--testcases', join(ROOT, 'testcases'),
      '--grep', '^(merged_system_cfg_undeclared|jinja_merged_system_cfg)$',
    ]);
    assert.equal(result.exitCode, 1);
    const cell = (caseName: string, image: string) => manifest.cells.find((entry) => entry.case === caseName && entry.image === image);

    assert.equal(cell('merged_system_cfg_undeclared', 'debian/trixie')?.verdict, 'passed');
    const failed = cell('merged_system_cfg_undeclared', 'debian/bookworm');
    assert.equal(failed?.verdict, 'failed');
    const warning = /jinja_template\.py\[WARNING\]: Ignoring jinja template for part-001: 'merged_system_cfg' is undefined/;
    assert.ok(failed.failures.some((failure) => warning.test(failure.message)), `no failure quotes the WARNING: ${JSON.stringify(failed.failures)}`);
    const status = JSON.parse(await readFile(join(runDir, failed.dir, 'collectors', 'cloud-init-status.out'), 'utf8')) as { status: string };
    assert.equal(status.status, 'done', 'cloud-init status on bookworm should say done: the WARNING alone fails the case');

    assert.equal(cell('jinja_merged_system_cfg', 'debian/trixie')?.verdict, 'passed');
    const declared = cell('jinja_merged_system_cfg', 'debian/bookworm');
    assert.equal(declared?.verdict, 'skipped');
    assert.match(declared.reason ?? '', /^needs cloud-init >=23\.3; debian\/bookworm has 22\.4\./);

    const differences = stdout.slice(stdout.indexOf('Differences between images:'));
    assert.ok(stdout.includes('Differences between images:'), 'the summary has no differences section');
    assert.match(differences, /^ {2}merged_system_cfg_undeclared: passes on debian\/trixie, fails on debian\/bookworm: .+$/m);
    assert.match(differences, new RegExp(`^ {6}debian/bookworm cloud-init\\.log:\\d+: .*${warning.source}`, 'm'));
    assert.doesNotMatch(differences, /jinja_merged_system_cfg:/, 'a case skipped by its declaration is not a difference');
    assert.match(await readFile(join(runDir, 'report.html'), 'utf8'), /Differences between images[\s\S]*merged_system_cfg_undeclared/);
  });
});
