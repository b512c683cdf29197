import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { evaluateAgain } from '../harness/evaluate/again.js';
import { LABEL_CASE } from '../core/run-id.js';
import { FakePlatform } from '../platforms/fake/platform.js';
import type { LaunchSpec } from '../platforms/types.js';
import type { RunManifest } from '../results-schema/run-manifest.js';
import { runOn } from './run-on.js';

const BASIC = join(import.meta.dirname, 'fixtures', 'cases', 'basic');
const WARNING_LINE = '2026-11-28 14:00:01,000 - handlers.py[WARNING]: Could not render jinja template';

describe('harness evaluate: judging a run again (fake platform)', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-evaluate-again-'));
    await cp(BASIC, join(work, 'cases'), { recursive: true });
    // The copy's checks file is out of the tree: it reaches the checks API by its absolute address.
    const checks = join(work, 'cases', 'marker.checks.ts');
    await writeFile(checks, (await readFile(checks, 'utf8')).replace('../../../../testcases/api.js', pathToFileURL(join(import.meta.dirname, '..', 'testcases', 'api.js')).href));
    await writeFile(join(work, 'vendor.yaml'), '{}\n');
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const platform = () =>
    new FakePlatform({
      capabilities: ['out-of-band-exec'],
      behaviourOf: (spec: LaunchSpec) => ({ outputs: { marker: 'hi\n' }, ...(spec.labels[LABEL_CASE] === 'quiet' ? { log: `${WARNING_LINE}\n` } : {}) }),
    });
  const run = (overrides = {}) =>
    runOn(platform(), join(work, 'results'), { testcaseDirs: [join(work, 'cases')], expectationFiles: [join(work, 'vendor.yaml')], ...overrides });
  const verdictOf = (manifest: RunManifest, caseName: string) => manifest.cells.find((cell) => cell.case === caseName)?.verdict;

  it('applies an edited expect and an edited expectations file, and rewrites run.json, cell.json and every report', async () => {
    const first = await run();
    assert.equal(verdictOf(first.manifest, 'quiet'), 'failed');
    assert.equal(verdictOf(first.manifest, 'marker'), 'passed');
    assert.deepEqual(first.manifest.expectationFiles, [join(work, 'vendor.yaml')]);
    const firstAllure = await readdir(join(first.runDir, 'allure-results'));

    const quietFile = join(work, 'cases', 'quiet.yaml');
    await writeFile(quietFile, `${await readFile(quietFile, 'utf8')}expect:\n  log_warnings: ["Could not render jinja template"]\n`);
    await writeFile(join(work, 'vendor.yaml'), 'cases:\n  marker:\n    xfail: "a known bug, said to be fixed"\n');

    const again = await evaluateAgain(first.runDir, { reporterOutput: 'none' });
    assert.equal(verdictOf(again.manifest, 'quiet'), 'passed');
    assert.equal(verdictOf(again.manifest, 'marker'), 'xpassed');
    assert.equal(verdictOf(again.manifest, 'needs_reboot'), 'skipped');
    assert.deepEqual(again.changedCases.map((changed) => changed.name), ['quiet']);

    const written = JSON.parse(await readFile(join(first.runDir, 'run.json'), 'utf8')) as RunManifest;
    assert.equal(verdictOf(written, 'quiet'), 'passed');
    assert.equal(written.summary.xpassed, 1);
    const quietCell = written.cells.find((cell) => cell.case === 'quiet')!;
    const record = JSON.parse(await readFile(join(first.runDir, quietCell.dir, 'cell.json'), 'utf8'));
    assert.ok(JSON.stringify(record.expect.logWarnings).includes('Could not render jinja template'));
    assert.match(await readFile(join(first.runDir, 'report.html'), 'utf8'), /1 xpassed/);
    assert.doesNotMatch(await readFile(join(first.runDir, 'junit.xml'), 'utf8'), /Could not render jinja template/);
    const againAllure = await readdir(join(first.runDir, 'allure-results'));
    assert.ok(againAllure.length > 0);
    assert.deepEqual(againAllure.filter((file) => firstAllure.includes(file)), [], 'allure-results/ is replaced, not added to');
  });

  it('refuses, as bad input, a run in which nothing was harvested', async () => {
    const controller = new AbortController();
    controller.abort();
    const first = await run({ signal: controller.signal, selection: { grep: /quiet/, tags: [], excludeTags: [] } });
    assert.equal(first.manifest.cells[0]?.state, 'not-run');
    await assert.rejects(evaluateAgain(first.runDir, { reporterOutput: 'none' }), { code: 'USAGE', exitCode: 2 });
  });
});
