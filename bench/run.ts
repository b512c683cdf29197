/**
 * `npm run bench`: the starter cases through the harness and through the raw lxc baseline
 * (bench/raw-baseline.sh), same cases, same image, same concurrency, same storage pool,
 * alternating so that drift in the machine's load hits both. Prints the figures and the
 * ratio; docs/benchmarks.md records them with this command.
 *
 *   npm run bench -- [--concurrency N] [--rounds N] [--image debian/bookworm]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { collectorNames, collectorScript, DEFAULT_COLLECTORS, DEFAULT_FILES } from '../collectors/index.js';
import { shellQuote } from '../core/host/shell-quote.js';
import { DEFAULT_TESTCASES_DIR } from '../testcases/location.js';
import { loadCases } from '../testcases/loader.js';
import type { TestCase } from '../testcases/case.js';
import { builtImageAlias } from '../core/image-names.js';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    image: { type: 'string', default: 'debian/bookworm' },
    tag: { type: 'string', default: 'starter' },
  },
});
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);

async function rawCommands(testCase: TestCase): Promise<string[]> {
  const scripts = await Promise.all([...new Set([...DEFAULT_COLLECTORS, ...testCase.collect.scripts])].map(collectorScript));
  const files = [...new Set([...DEFAULT_FILES, ...testCase.collect.files])].map((file) => `cat ${shellQuote(file)}`);
  return [...scripts, ...Object.values(testCase.collect.commands), ...files];
}

async function prepareRawCases(cases: readonly TestCase[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudproof-raw-'));
  for (const testCase of cases) {
    await mkdir(join(dir, testCase.name, 'commands'), { recursive: true });
    await writeFile(join(dir, testCase.name, 'user-data'), testCase.userData);
    for (const [index, command] of (await rawCommands(testCase)).entries()) {
      await writeFile(join(dir, testCase.name, 'commands', String(index).padStart(3, '0')), command);
    }
  }
  return dir;
}

async function timed(command: string, args: string[]): Promise<{ seconds: number; exitCode: number | undefined }> {
  const started = process.hrtime.bigint();
  const result = await execa(command, args, { cwd: ROOT, reject: false, env: { CI: 'true' }, stdio: ['ignore', 'ignore', 'inherit'] });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, exitCode: result.exitCode };
}

const all = await loadCases([DEFAULT_TESTCASES_DIR], collectorNames());
const cases = all.filter((testCase) => testCase.tags.includes(values.tag));
const alias = builtImageAlias(values.image);
const rawDir = await prepareRawCases(cases);
const resultsDir = await mkdtemp(join(tmpdir(), 'cloudproof-bench-'));
const pattern = `^(${cases.map((testCase) => testCase.name).join('|')})$`;
console.log(`${cases.length} cases tagged "${values.tag}" on ${alias}, ${concurrency} at a time, ${rounds} round(s)`);

const harnessTimes: number[] = [];
const rawTimes: number[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    const harness = await timed('node', ['harness/bin.js', 'run', '--platform', 'lxd', '--image', values.image, '--concurrency', String(concurrency), '--grep', pattern, '--results', resultsDir]);
    const raw = await timed('bash', ['bench/raw-baseline.sh', alias, String(concurrency), rawDir]);
    harnessTimes.push(harness.seconds);
    rawTimes.push(raw.seconds);
    console.log(`round ${round}: harness ${harness.seconds.toFixed(1)} s (exit ${harness.exitCode}), raw lxc ${raw.seconds.toFixed(1)} s (exit ${raw.exitCode}), ratio ${(harness.seconds / raw.seconds).toFixed(2)}`);
  }
} finally {
  await rm(rawDir, { recursive: true, force: true });
  await rm(resultsDir, { recursive: true, force: true });
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
console.log(`median: harness ${median(harnessTimes).toFixed(1)} s, raw ${median(rawTimes).toFixed(1)} s, ratio ${(median(harnessTimes) / median(rawTimes)).toFixed(2)} (target ≤ 1.10)`);
