/**
 * `npx tsx bench/prepare.ts`: what a build under test costs. Prepares the marker build
 * (test/build-marker-deb.ts: Debian's cloud-init with a marked version) once from scratch,
 * then runs the same cells with `--build deb:<marker>` (the prepared image reused) and with
 * `--build none`, alternating so that drift in the machine's load hits both, and reads the
 * per-case launch and boot times from each run.json. The target: cells with a
 * build cost less than 1.2 × the same cells without one.
 *
 *   npx tsx bench/prepare.ts [--cells 20] [--concurrency 2] [--rounds 2] [--keep]
 *
 * The 13 starter cases are repeated (copies of their YAML under new names, built-in checks
 * only) to reach --cells; verdicts do not matter here, only time. The prepared image is
 * removed at the end unless --keep.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { collectorNames } from '../collectors/index.js';
import { sha256File } from '../core/host/sha256-file.js';
import { PROPERTY } from '../harness/build-under-test/prepare-recipe.js';
import type { RunManifest } from '../results-schema/run-manifest.js';
import lxd from '../platforms/lxd/index.js';
import { makeMarkerDeb } from '../test/build-marker-deb.js';
import { DEFAULT_TESTCASES_DIR } from '../testcases/location.js';
import { loadCases } from '../testcases/loader.js';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    cells: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    tag: { type: 'string', default: 'starter' },
    keep: { type: 'boolean', default: false },
  },
});
const cellCount = Number(values.cells);
const rounds = Number(values.rounds);

interface Measured {
  readonly seconds: number;
  readonly exitCode: number | undefined;
  readonly manifest: RunManifest;
}

const median = (numbers: readonly number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2 : (sorted[Math.floor(middle)] ?? Number.NaN);
};
const load = (): string => loadavg().map((value) => value.toFixed(1)).join(' ');
const phaseSeconds = (manifest: RunManifest, phase: string): number[] =>
  manifest.cells.flatMap((cell) => cell.timings.filter((timing) => timing.phase === phase).map((timing) => timing.ms / 1000));

/** The tagged cases, then copies of them under new names until there are `count`. */
async function caseFolder(count: number): Promise<string> {
  const cases = (await loadCases([DEFAULT_TESTCASES_DIR], collectorNames())).filter((testCase) => testCase.tags.includes(values.tag));
  const dir = await mkdtemp(join(tmpdir(), 'cloudproof-bench-cases-'));
  for (let index = 0; index < count; index++) {
    const testCase = cases[index % cases.length];
    if (testCase === undefined) throw new Error(`no case is tagged ${values.tag}`);
    const copy = Math.floor(index / cases.length);
    await copyFile(testCase.file, join(dir, copy === 0 ? basename(testCase.file) : basename(testCase.file).replace(/\.yaml$/, `-r${copy + 1}.yaml`)));
  }
  return dir;
}

async function run(results: string, cases: string, build: string): Promise<Measured> {
  const before = new Set(await readdir(results).catch(() => []));
  const started = process.hrtime.bigint();
  const args = ['harness/bin.js', 'run', '--platform', 'lxd', '--testcases', cases, '--concurrency', values.concurrency, '--results', results, '--build', build];
  const result = await execa('node', args, { cwd: ROOT, reject: false, env: { CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const runId = (await readdir(results)).find((entry) => !before.has(entry));
  if (runId === undefined) throw new Error(`harness run --build ${build} wrote no results (exit ${result.exitCode}): ${result.stderr}`);
  const manifest = JSON.parse(await readFile(join(results, runId, 'run.json'), 'utf8')) as RunManifest;
  // A timing of cells that did not run proves nothing: say why they did not.
  const reasons = new Set(manifest.cells.filter((cell) => cell.state !== 'harvested').map((cell) => `${cell.case}: ${cell.state}: ${cell.reason ?? ''}`));
  if (reasons.size > 0) console.log(`  --build ${build}: ${[...reasons].slice(0, 5).join('\n  ')}`);
  return { seconds, exitCode: result.exitCode, manifest };
}

const platform = lxd.create({ env: process.env, settings: {}, stateDir: join(tmpdir(), 'cloudproof-bench-lxd-state') });
const work = await mkdtemp(join(tmpdir(), 'cloudproof-bench-prepare-'));
const results = join(work, 'results');
const cases = await caseFolder(cellCount);
const marker = await makeMarkerDeb(join(work, 'deb'), `bench-${randomUUID()}`);
const markerSha = await sha256File(marker.path);
const removePrepared = async (): Promise<void> => {
  for (const image of await platform.listImages()) {
    if (image.properties[PROPERTY.artifacts]?.split(',').includes(markerSha)) await platform.deleteImage(image.fingerprint);
  }
};

try {
  await removePrepared();
  console.log(`${cellCount} cells (${values.tag} cases, repeated), ${values.concurrency} at a time, build ${basename(marker.path)}; load ${load()}`);
  const cold = await run(results, cases, `deb:${marker.path}`);
  const preparation = cold.manifest.build.kind === 'deb' ? cold.manifest.build.images[0]?.preparationSeconds ?? Number.NaN : Number.NaN;
  console.log(`cold, with the build (prepares the image): ${cold.seconds.toFixed(1)} s, of which preparation ${preparation} s (exit ${cold.exitCode}); load ${load()}`);

  const withBuild: Measured[] = [cold];
  const without: Measured[] = [];
  for (let round = 1; round <= rounds; round++) {
    const none = await run(results, cases, 'none');
    const warm = await run(results, cases, `deb:${marker.path}`);
    without.push(none);
    withBuild.push(warm);
    console.log(`round ${round}: none ${none.seconds.toFixed(1)} s (exit ${none.exitCode}), build (reused) ${warm.seconds.toFixed(1)} s (exit ${warm.exitCode}), ratio ${(warm.seconds / none.seconds).toFixed(2)}; load ${load()}`);
  }
  const warmRuns = withBuild.slice(1);
  const warmMedian = median(warmRuns.map((entry) => entry.seconds));
  const noneMedian = median(without.map((entry) => entry.seconds));
  console.log(`median: none ${noneMedian.toFixed(1)} s, build ${warmMedian.toFixed(1)} s (ratio ${(warmMedian / noneMedian).toFixed(2)}); cold with preparation ${cold.seconds.toFixed(1)} s (ratio ${(cold.seconds / noneMedian).toFixed(2)}); target < 1.20`);
  for (const phase of ['launching', 'booting']) {
    const prepared = median(withBuild.flatMap((entry) => phaseSeconds(entry.manifest, phase)));
    const base = median(without.flatMap((entry) => phaseSeconds(entry.manifest, phase)));
    console.log(`per-case ${phase} (median over all cells): prepared image ${prepared.toFixed(2)} s, base image ${base.toFixed(2)} s`);
  }
} finally {
  if (!values.keep) await removePrepared();
  await platform.close();
  await rm(work, { recursive: true, force: true });
  await rm(cases, { recursive: true, force: true });
}
