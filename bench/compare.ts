/**
 * `npm run bench:compare`: `harness compare` on real LXD boots, as issue 16's acceptance
 * asks: Debian's cloud-init re-packed with a 0.2 s sleep in final_message (a modules-final
 * module) against its clean twin once, then the clean twin against itself `--aa` times
 * (default 10). Prints, per comparison, its wall time and the series it named SLOWER or
 * FASTER; docs/benchmarks.md records the figures with this command.
 *
 *   npm run bench:compare -- [--aa 10] [--boots 6] [--release bookworm]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { sha256File } from '../core/host/sha256-file.js';
import { PROPERTY } from '../harness/build-under-test/prepare-recipe.js';
import type { BuildComparison } from '../harness/compare/compare-builds.js';
import lxd from '../platforms/lxd/index.js';
import { makeMarkerDeb } from '../test/build-marker-deb.js';

const { values } = parseArgs({ options: { aa: { type: 'string', default: '10' }, boots: { type: 'string', default: '6' }, release: { type: 'string', default: 'bookworm' } } });
const platform = lxd.create({ env: process.env, settings: {}, stateDir: join(tmpdir(), 'cloudproof-bench-lxd-state') });
const work = await mkdtemp(join(tmpdir(), 'cloudproof-bench-compare-'));
const id = `bench-compare-${randomUUID()}`;
const clean = await makeMarkerDeb(join(work, 'clean'), id);
const slowed = await makeMarkerDeb(join(work, 'slowed'), id, { slowed: { module: 'cc_final_message', seconds: 0.2 } });
const shas = [await sha256File(clean.path), await sha256File(slowed.path)];

async function compare(label: string, baseline: string, candidate: string): Promise<BuildComparison> {
  const results = await mkdtemp(join(work, 'results-'));
  const started = process.hrtime.bigint();
  const args = ['harness/bin.js', 'compare', '--platform', 'lxd', '--release', values.release, '--baseline', `deb:${baseline}`, '--build', `deb:${candidate}`, '--boots', values.boots, '--max-boots', values.boots, '--pairs-at-once', '--results', results];
  const run = await execa('node', args, { reject: false, env: { CI: 'true' }, all: true });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const [folder] = (await readdir(results)).filter((name) => name.startsWith('compare-'));
  if (folder === undefined) throw new Error(`${label}: compare wrote nothing (exit ${run.exitCode}):\n${run.all}`);
  const result = JSON.parse(await readFile(join(results, folder, 'compare.json'), 'utf8')) as BuildComparison;
  const moved = result.series.filter((entry) => entry.comparison.verdict === 'SLOWER' || entry.comparison.verdict === 'FASTER');
  const named = moved.map((entry) => `${entry.key.stage}${entry.key.module === undefined ? '' : `/${entry.key.module}`} ${entry.comparison.verdict} ${entry.comparison.reason}`);
  console.log(`${label}: ${seconds.toFixed(0)} s, ${result.boots} boots a side, ${result.series.length} series; load ${loadavg()[0]?.toFixed(2)}; named: ${named.length === 0 ? 'none' : `\n    ${named.join('\n    ')}`}`);
  await rm(results, { recursive: true, force: true });
  return result;
}

try {
  await compare('A/B (0.2 s sleep in final_message against its clean twin)', clean.path, slowed.path);
  let named = 0;
  const aa = Number(values.aa);
  for (let n = 1; n <= aa; n++) {
    const result = await compare(`A/A ${n}/${aa}`, clean.path, clean.path);
    if (result.series.some((entry) => entry.comparison.verdict === 'SLOWER' || entry.comparison.verdict === 'FASTER')) named += 1;
  }
  console.log(`A/A comparisons that named a series: ${named} of ${aa} (target 0)`);
} finally {
  for (const image of await platform.listImages()) {
    if (shas.some((sha) => image.properties[PROPERTY.artifacts]?.split(',').includes(sha))) await platform.deleteImage(image.fingerprint);
  }
  await platform.close();
  await rm(work, { recursive: true, force: true });
}
