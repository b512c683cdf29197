import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { sha256File } from '../core/host/sha256-file.js';
import { PROPERTY } from '../harness/build-under-test/prepare-recipe.js';
import type { BuildComparison } from '../harness/compare/compare-builds.js';
import { HARNESS } from './cli-run.js';
import { makeMarkerDeb, type MarkerDeb } from './build-marker-deb.js';
import { lxdForTests } from './lxd-for-tests.js';

const SLOWED = { module: 'cc_final_message', seconds: 0.2 } as const;

/**
 * `harness compare` on real boots: Debian's cloud-init .deb re-packed twice, alike but for a
 * 0.2 s sleep at the start of final_message's handle() in one (a modules-final module), so
 * the clean twin is the baseline and differs from the image's own package as the slowed one
 * does. Six boots a side; the A/A comparisons of the clean twin against itself are CI's two
 * of the ten `npm run bench:compare` makes.
 */
describe('harness compare: boot-time A/B on LXD @e2e', function () {
  this.timeout(60 * 60_000);
  const platform = lxdForTests();
  let work: string;
  let clean: MarkerDeb;
  let slowed: MarkerDeb;
  const shas: string[] = [];

  const compare = async (baseline: MarkerDeb, candidate: MarkerDeb, extra: readonly string[] = []) => {
    const results = await mkdtemp(join(work, 'results-'));
    const args = ['compare', '--platform', 'lxd', '--release', 'bookworm', '--baseline', `deb:${baseline.path}`, '--build', `deb:${candidate.path}`, '--boots', '6', '--max-boots', '6', '--pairs-at-once', '--results', results, ...extra];
    const run = await execa('node', [HARNESS, ...args], { reject: false, env: { CI: 'true' }, all: true });
    process.stdout.write(`${run.all}\n`);
    const [folder] = (await readdir(results)).filter((name) => name.startsWith('compare-'));
    assert.ok(folder, `compare wrote no folder (exit ${run.exitCode})`);
    const result = JSON.parse(await readFile(join(results, folder, 'compare.json'), 'utf8')) as BuildComparison;
    return { result, exitCode: run.exitCode, stdout: run.stdout };
  };
  const find = (result: BuildComparison, stage: string, module: string | undefined) => result.series.find((entry) => entry.key.stage === stage && entry.key.module === module);

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-compare-e2e-'));
    const id = `compare-${randomUUID()}`;
    clean = await makeMarkerDeb(join(work, 'clean'), id);
    slowed = await makeMarkerDeb(join(work, 'slowed'), id, { slowed: SLOWED });
    shas.push(await sha256File(clean.path), await sha256File(slowed.path));
  });
  after(async () => {
    for (const image of await platform.listImages()) {
      if (shas.some((sha) => image.properties[PROPERTY.artifacts]?.split(',').includes(sha))) await platform.deleteImage(image.fingerprint);
    }
    await platform.close();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('names modules-final and its final-message module SLOWER with p < 0.01 from 6 boots a side against the clean twin, and --fail-on-regression fails the run', async () => {
    const { result, exitCode, stdout } = await compare(clean, slowed, ['--fail-on-regression']);
    assert.equal(result.boots, 6);
    // cloud-init's analyze events name the module with a hyphen.
    for (const module of [undefined, 'final-message']) {
      const entry = find(result, 'modules-final', module);
      assert.equal(entry?.comparison.verdict, 'SLOWER', `modules-final/${module ?? ''}: ${entry?.comparison.reason ?? 'not measured'}`);
      assert.ok((entry?.comparison.pValue ?? 1) < 0.01);
      assert.ok((entry?.comparison.effectMs ?? 0) >= 150, `effect ${entry?.comparison.effectMs} ms`);
    }
    assert.match(stdout, /modules-final\/final-message .* SLOWER/);
    assert.equal(exitCode, 1);
  });

  for (const attempt of [1, 2]) {
    it(`A/A ${attempt}: the clean twin against itself, 6 boots a side, names no series SLOWER or FASTER`, async () => {
      const { result, exitCode } = await compare(clean, clean, ['--fail-on-regression']);
      const moved = result.series.filter((entry) => entry.comparison.verdict === 'SLOWER' || entry.comparison.verdict === 'FASTER');
      assert.deepEqual(moved.map((entry) => `${entry.key.stage}/${entry.key.module ?? ''}: ${entry.comparison.reason}`), []);
      assert.ok(result.series.length > 10, 'the stages and modules were measured');
      assert.equal(exitCode, 0);
    });
  }
});
