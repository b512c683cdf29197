/**
 * `npm run bench:trends`: `harness trends` over a history of 100,000 stored timings or more
 * (a recorded boot replayed as runs of many cases, with a 0.2 s step at run 20), timed as a
 * user runs it (a new node process, the SQLite file read, every series through E-Divisive).
 * docs/benchmarks.md records the figures with this command.
 *
 *   npm run bench:trends -- [--timings 100000] [--runs 60] [--rounds 5]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { median } from 'simple-statistics';
import { recordRun } from '../reports/trends/history/record-run.js';
import { historyOf } from '../reports/trends/history/from-manifest.js';
import { openSqliteHistory } from '../reports/trends/history/sqlite-store.js';
import { seededRandom } from '../reports/trends/stats/seeded-random.js';
import { trendsOf } from '../reports/trends/trends.js';
import { recordedRun, replayed } from '../test/replayed-history.js';

const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');
const { values } = parseArgs({ options: { timings: { type: 'string', default: '100000' }, runs: { type: 'string', default: '60' }, rounds: { type: 'string', default: '5' } } });
const wantedTimings = Number(values.timings);
const runs = Number(values.runs);
const rounds = Number(values.rounds);

const recorded = await recordedRun();
const perCell = historyOf(recorded).timings.length;
const cases = Math.ceil(wantedTimings / (perCell * runs));
const dir = await mkdtemp(join(tmpdir(), 'cloudproof-bench-trends-'));
const file = join(dir, 'history.sqlite');
try {
  const store = openSqliteHistory(file);
  const random = seededRandom(1);
  const [cell] = recorded.cells;
  if (cell === undefined) throw new Error('the recorded run has no cell');
  for (let n = 1; n <= runs; n++) {
    const run = replayed({ ...recorded, cells: Array.from({ length: cases }, (_, i) => ({ ...cell, case: `case_${String(i).padStart(3, '0')}` })) }, n, random);
    await recordRun(store, run);
  }
  await store.close();
  const stored = perCell * cases * runs;
  console.log(`history: ${runs} runs × ${cases} cases × ${perCell} timings = ${stored} timings in ${file}`);

  const seconds: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const started = performance.now();
    const result = await execa('node', [HARNESS, 'trends', '--store', file], { reject: false, env: { CI: 'true' } });
    seconds.push((performance.now() - started) / 1000);
    if (result.exitCode !== 0) throw new Error(`harness trends exited ${result.exitCode}: ${result.stderr}`);
    if (round === 1) console.log(result.stdout.split('\n').slice(0, 6).join('\n'));
  }
  console.log(`harness trends over ${stored} timings: median ${median(seconds).toFixed(3)} s, all ${seconds.map((s) => s.toFixed(3)).join(' ')} s (wall, new node process each)`);
  const reading: number[] = [];
  const judging: number[] = [];
  const history = openSqliteHistory(file);
  try {
    for (let round = 1; round <= rounds; round++) {
      const started = performance.now();
      const series = await history.allSeries();
      const read = performance.now();
      trendsOf(series);
      reading.push((read - started) / 1000);
      judging.push((performance.now() - read) / 1000);
    }
  } finally {
    await history.close();
  }
  console.log(`in process: reading and grouping median ${median(reading).toFixed(3)} s, E-Divisive over every series median ${median(judging).toFixed(3)} s`);
  const startup = performance.now();
  await execa('node', [HARNESS, '--version'], { env: { CI: 'true' } });
  console.log(`for scale, \`harness --version\` (node and the CLI loading, nothing read): ${((performance.now() - startup) / 1000).toFixed(3)} s`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
