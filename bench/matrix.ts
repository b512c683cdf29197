/**
 * `npx tsx bench/matrix.ts`: the same cases on two releases, as one matrix run (one
 * concurrency pool for every case × image) against two single-image runs back to back.
 * The target is that the matrix takes no longer than the two single runs together. Rounds
 * alternate which goes first, so that drift in the machine's load hits both; the load
 * average is printed with each figure because other work shares the machine.
 *
 *   npx tsx bench/matrix.ts [--releases bookworm,trixie] [--tag starter] [--concurrency 2] [--rounds 1]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    releases: { type: 'string', default: 'bookworm,trixie' },
    tag: { type: 'string', default: 'starter' },
    concurrency: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '1' },
  },
});
const releases = values.releases.split(',').filter(Boolean);
const rounds = Number(values.rounds);

interface Timed {
  readonly seconds: number;
  readonly exitCode: number | undefined;
}

async function harnessRun(releaseNames: readonly string[], resultsDir: string): Promise<Timed> {
  const args = ['harness/bin.js', 'run', '--platform', 'lxd', '--tag', values.tag, '--concurrency', values.concurrency, '--results', resultsDir];
  const started = process.hrtime.bigint();
  const result = await execa('node', [...args, ...releaseNames.flatMap((release) => ['--release', release])], {
    cwd: ROOT,
    reject: false,
    env: { CI: 'true' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, exitCode: result.exitCode };
}

async function singlesBackToBack(resultsDir: string): Promise<{ total: number; each: Timed[] }> {
  const each: Timed[] = [];
  for (const release of releases) each.push(await harnessRun([release], resultsDir));
  return { total: each.reduce((sum, run) => sum + run.seconds, 0), each };
}

const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
const median = (numbers: readonly number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? Number.NaN;

const resultsDir = await mkdtemp(join(tmpdir(), 'cloudproof-bench-matrix-'));
console.log(`cases tagged "${values.tag}" on ${releases.join(' + ')}, ${values.concurrency} at a time, ${rounds} round(s); load average ${load()}`);
const matrixTimes: number[] = [];
const singleTimes: number[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    const matrixFirst = round % 2 === 0;
    const matrix = matrixFirst ? await harnessRun(releases, resultsDir) : undefined;
    const singles = await singlesBackToBack(resultsDir);
    const matrixRun = matrix ?? (await harnessRun(releases, resultsDir));
    matrixTimes.push(matrixRun.seconds);
    singleTimes.push(singles.total);
    const singleFigures = singles.each.map((run, index) => `${releases[index]} ${run.seconds.toFixed(1)} s (exit ${run.exitCode})`).join(' + ');
    console.log(
      `round ${round}: matrix ${matrixRun.seconds.toFixed(1)} s (exit ${matrixRun.exitCode}); singles ${singleFigures} = ${singles.total.toFixed(1)} s; ` +
        `ratio ${(matrixRun.seconds / singles.total).toFixed(2)}; load average ${load()}`,
    );
  }
} finally {
  await rm(resultsDir, { recursive: true, force: true });
}
const ratio = median(matrixTimes) / median(singleTimes);
console.log(`median: matrix ${median(matrixTimes).toFixed(1)} s, singles back to back ${median(singleTimes).toFixed(1)} s, ratio ${ratio.toFixed(2)} (target ≤ 1.00)`);
