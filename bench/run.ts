/**
 * `npm run bench`: the starter cases through the harness, as it runs by default (cases
 * that can share a boot share one) and `--isolated` (every case alone), and through the raw
 * lxc baseline (bench/raw-baseline.sh, one boot a case): same cases, same image, same
 * concurrency, same storage pool, alternating so that drift in the machine's load hits all
 * three. Prints the figures, the ratios and whether both harness runs gave every case the
 * same verdict; docs/benchmarks.md records them with this command.
 *
 *   npm run bench -- [--concurrency N] [--rounds N] [--image debian/bookworm] [--tag starter | --all]
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
import type { RunManifest } from '../results-schema/run-manifest.js';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    image: { type: 'string', default: 'debian/bookworm' },
    tag: { type: 'string', default: 'starter' },
    all: { type: 'boolean', default: false },
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

async function timed(command: string, args: string[]): Promise<{ seconds: number; exitCode: number | undefined; stdout: string }> {
  const started = process.hrtime.bigint();
  const result = await execa(command, args, { cwd: ROOT, reject: false, env: { CI: 'true' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, exitCode: result.exitCode, stdout: result.stdout };
}

/** Each cell's verdict from the run.json of the run a `harness run` printed the folder of. */
async function verdictsOf(stdout: string): Promise<string> {
  const runDir = /^results: (\S+) \(/m.exec(stdout)?.[1];
  if (runDir === undefined) return '(no run folder printed)';
  const manifest = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as RunManifest;
  return manifest.cells.map((cell) => `${cell.case} [${cell.image}]: ${cell.verdict ?? cell.state}`).join('\n');
}

const all = await loadCases([DEFAULT_TESTCASES_DIR], collectorNames());
const cases = values.all ? all : all.filter((testCase) => testCase.tags.includes(values.tag));
const alias = builtImageAlias(values.image);
const rawDir = await prepareRawCases(cases);
const resultsDir = await mkdtemp(join(tmpdir(), 'cloudproof-bench-'));
const pattern = `^(${cases.map((testCase) => testCase.name).join('|')})$`;
console.log(`${cases.length} cases${values.all ? '' : ` tagged "${values.tag}"`} on ${alias}, ${concurrency} at a time, ${rounds} round(s)`);

const sharedTimes: number[] = [];
const isolatedTimes: number[] = [];
const rawTimes: number[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    const harnessRun = (...extra: string[]) =>
      timed('node', ['harness/bin.js', 'run', '--platform', 'lxd', '--image', values.image, '--concurrency', String(concurrency), ...(values.all ? [] : ['--grep', pattern]), '--results', resultsDir, ...extra]);
    const shared = await harnessRun();
    const isolated = await harnessRun('--isolated');
    const raw = await timed('bash', ['bench/raw-baseline.sh', alias, String(concurrency), rawDir]);
    sharedTimes.push(shared.seconds);
    isolatedTimes.push(isolated.seconds);
    rawTimes.push(raw.seconds);
    const sameVerdicts = (await verdictsOf(shared.stdout)) === (await verdictsOf(isolated.stdout));
    console.log(
      `round ${round}: harness ${shared.seconds.toFixed(1)} s (exit ${shared.exitCode}), --isolated ${isolated.seconds.toFixed(1)} s (exit ${isolated.exitCode}), raw lxc ${raw.seconds.toFixed(1)} s (exit ${raw.exitCode}); ` +
        `ratios ${(shared.seconds / raw.seconds).toFixed(2)} and ${(isolated.seconds / raw.seconds).toFixed(2)}; ${sameVerdicts ? 'the same verdicts' : 'VERDICTS DIFFER'} shared and isolated`,
    );
  }
} finally {
  await rm(rawDir, { recursive: true, force: true });
  await rm(resultsDir, { recursive: true, force: true });
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ratio = (times: number[]) => (median(times) / median(rawTimes)).toFixed(2);
console.log(`median: harness ${median(sharedTimes).toFixed(1)} s, --isolated ${median(isolatedTimes).toFixed(1)} s, raw ${median(rawTimes).toFixed(1)} s`);
console.log(`ratio to raw: harness ${ratio(sharedTimes)} (target ≤ 0.40 over the whole library), --isolated ${ratio(isolatedTimes)} (target ≤ 0.75)`);
