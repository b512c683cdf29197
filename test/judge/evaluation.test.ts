import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluateRun } from '../../harness/evaluate/evaluate.js';
import { describeCase } from '../../testcases/api.js';
import { cleanHarvest, judgeCells, writeRun } from './judge-cell.js';

/** What an evaluation leaves behind and how it ends, whatever went on inside it. */
describe('the judge: an evaluation as a whole', () => {
  it('writes junit.xml with every test of the run, and allure results', async () => {
    const { runDir, cleanup, options } = await writeRun([cleanHarvest('reported')]);
    try {
      await evaluateRun(options);
      const junit = await readFile(join(runDir, 'junit.xml'), 'utf8');
      assert.match(junit, /testsuites name="cloudproof judge"/);
      assert.match(junit, /cloud-init finishes with status done/);
      assert.ok((await readdir(join(runDir, 'allure-results'))).some((file) => file.endsWith('-result.json')));
    } finally {
      await cleanup();
    }
  });

  it('reports a skipped cell as one skipped test that gives the reason, and nothing else', async () => {
    const { runDir, cleanup, options } = await writeRun([
      { ...cleanHarvest('skipped'), record: { state: 'skipped', reason: 'no tzdata' } },
      { ...cleanHarvest('unexplained'), record: { state: 'skipped', reason: undefined } },
    ]);
    try {
      await evaluateRun(options);
      const allure = join(runDir, 'allure-results');
      const results = await Promise.all(
        (await readdir(allure)).filter((file) => file.endsWith('-result.json')).map(async (file) => JSON.parse(await readFile(join(allure, file), 'utf8')) as { name: string; status: string }),
      );
      assert.deepEqual(results.map((result) => `${result.name}: ${result.status}`).sort(), ['skipped: no reason given: skipped', 'skipped: no tzdata: skipped']);
    } finally {
      await cleanup();
    }
  });

  it('makes every cell an error when the evaluation itself cannot go on, leaving skipped ones skipped', async () => {
    const { cleanup, options } = await writeRun([cleanHarvest('judged'), { ...cleanHarvest('skipped'), record: { state: 'skipped', reason: 'no' } }]);
    try {
      const verdicts = await evaluateRun({ ...options, cases: new Map([...options.cases].filter(([name]) => name !== 'judged')) });
      const judged = verdicts.get('judged [debian/bookworm]');
      assert.equal(judged?.verdict, 'error');
      assert.equal(judged?.errorCode, 'EVALUATION');
      assert.equal(judged?.failures[0]?.test, 'evaluation');
      assert.match(judged?.failures[0]?.message ?? '', /cell judged \[debian\/bookworm\] names a case that was not loaded/);
      assert.deepEqual(verdicts.get('skipped [debian/bookworm]'), { verdict: 'skipped', errorCode: undefined, failures: [] });
    } finally {
      await cleanup();
    }
  });

  it('leaves no evaluation context behind: describeCase outside one is refused again', async () => {
    await judgeCells([cleanHarvest('once')]);
    assert.throws(() => describeCase('once'), /runs only inside/);
  });

  it('prints the spec reporter only when asked to', async () => {
    const printed = async (reporterOutput: 'spec' | 'none'): Promise<string> => {
      const { cleanup, options } = await writeRun([cleanHarvest('printed')]);
      const chunks: string[] = [];
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((chunk: string | Uint8Array) => chunks.push(String(chunk)) > 0) as typeof process.stdout.write;
      try {
        await evaluateRun({ ...options, reporterOutput });
      } finally {
        process.stdout.write = write;
        await cleanup();
      }
      return chunks.join('');
    };
    assert.match(await printed('spec'), /printed \[debian\/bookworm\]/);
    assert.doesNotMatch(await printed('none'), /printed \[debian\/bookworm\]/);
  });

  it("counts a failure in a nested describe of a case's checks as that case's", async () => {
    const checks = "describeCase('nested', () => { describe('deeper', () => { it('holds', () => { throw new Error('deep failure'); }); }); });";
    const verdicts = await judgeCells([{ ...cleanHarvest('nested'), checks }, cleanHarvest('other')]);
    assert.equal(verdicts.get('nested')?.verdict, 'failed');
    assert.deepEqual(verdicts.get('nested')?.failures, [{ test: 'holds', message: 'deep failure' }]);
    assert.equal(verdicts.get('other')?.verdict, 'passed');
  });
});
