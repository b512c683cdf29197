import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RepeatReport } from '../results-schema/repeat.js';

const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'repeat');

describe('harness run --repeat (CLI, fake platform)', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-repeat-cli-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const results = () => join(work, 'results');
  const harness = (...args: string[]) =>
    execa('node', [HARNESS, 'run', '--platform', 'fake', '--testcases', FIXTURES, '--results', results(), ...args], {
      reject: false,
      env: { CI: 'true', CLOUDPROOF_CACHE: join(work, 'cache'), REPEAT_FIXTURE_COUNTER: join(work, 'counter') },
    });
  const reportOf = async (): Promise<RepeatReport> => {
    const [file] = (await readdir(results())).filter((name) => name.startsWith('repeat-'));
    assert.ok(file, 'a repeat-<run-id>.json');
    return JSON.parse(await readFile(join(results(), file), 'utf8')) as RepeatReport;
  };

  for (const bad of ['0', '-2', 'many', '1.5']) {
    it(`refuses --repeat ${bad} in one line before anything is launched (exit 2)`, async () => {
      const result = await harness('--repeat', bad);
      assert.equal(result.exitCode, 2, result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /--repeat/);
      assert.equal(existsSync(results()), false);
      assert.equal(existsSync(join(work, 'cache', 'platforms', 'fake', 'instances')), false);
    });
  }

  it('exits 1 and names the case whose verdict changed, though no harvested file differs', async () => {
    const result = await harness('--repeat', '3');
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(result.stdout, /^repeat 3: 2 cases × 1 image, 1 changed verdict$/m);
    assert.match(result.stdout, /flaky \[debian\/bookworm\]: passed, failed, passed/);
    assert.match(result.stdout, /evaluation 2 is an even one/);
    assert.match(result.stdout, /harvest of repetition 1 against 2: no compared file differs/);
    const report = await reportOf();
    assert.equal(report.runs.length, 3);
    assert.deepEqual(
      report.changed.map((cell) => cell.case),
      ['flaky'],
    );
    const runFolders = (await readdir(results())).filter((name) => !name.startsWith('repeat-'));
    assert.deepEqual(runFolders.sort(), report.runs.map((run) => run.runId).sort());
  });

  it('exits 0 when every repetition passed alike', async () => {
    const result = await harness('--repeat', '2', '--grep', '^steady$');
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^repeat 2: 1 cases × 1 image, 0 changed verdicts$/m);
  });

  it('Ctrl-C: no repetition starts after the one it came in, and the exit code is 130', async () => {
    const child = execa('node', [HARNESS, 'run', '--platform', 'fake', '--testcases', FIXTURES, '--grep', '^steady$', '--results', results(), '--repeat', '500'], {
      reject: false,
      env: { CI: 'true', CLOUDPROOF_CACHE: join(work, 'cache') },
    });
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('repetition 2/500')) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await child;
    assert.equal(result.exitCode, 130, result.stderr);
    const report = await reportOf();
    assert.ok(report.runs.length < 500);
    const runFolders = (await readdir(results())).filter((name) => !name.startsWith('repeat-'));
    assert.equal(runFolders.length, report.runs.length, 'every repetition that started is in the comparison, and none started after');
    assert.match(result.stdout, /interrupted: no repetition started after repetition \d+/);
  });
});
