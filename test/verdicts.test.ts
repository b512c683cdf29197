import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CELL_ERRORS, EXIT_FAILED_CASES, HarnessError } from '../core/errors.js';
import { verdictExitCode } from '../harness/cli/summary.js';
import type { RunOptions } from '../harness/run/run-loop.js';
import { LABEL_CASE } from '../core/run-id.js';
import type { FakeBehaviour } from '../platforms/fake/behaviour.js';
import { FakePlatform } from '../platforms/fake/platform.js';
import type { Instance, LaunchSpec } from '../platforms/types.js';
import type { RunManifest } from '../results-schema/run-manifest.js';
import { countVerdicts } from '../results-schema/verdict.js';
import { runOn } from './run-on.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'verdicts');
const everything = { grep: undefined, tags: [], excludeTags: [] };

/** Every instance.delete() fails, as a platform API that times out would; platform.destroy (the sweep's) still works. */
class DeleteFails extends FakePlatform {
  override async launch(spec: LaunchSpec): Promise<Instance> {
    const instance = await super.launch(spec);
    return new Proxy(instance, {
      get: (target, key) =>
        key === 'delete'
          ? async () => {
              throw new HarnessError('PLATFORM_API', `the fake could not delete ${target.name} (as the test asked)`);
            }
          : Reflect.get(target, key, target),
    });
  }
}

describe('verdicts (fake platform)', () => {
  let results: string;
  beforeEach(async () => {
    results = await mkdtemp(join(tmpdir(), 'cloudproof-verdicts-'));
  });
  afterEach(async () => {
    await rm(results, { recursive: true, force: true });
  });

  const fake = (behaviourOf?: (spec: LaunchSpec) => FakeBehaviour) => new FakePlatform({ behaviourOf, capabilities: ['out-of-band-exec'] });
  const runFixture = (folder: string, platform: FakePlatform = fake(), overrides: Partial<RunOptions> = {}) =>
    runOn(platform, results, { testcaseDirs: [join(FIXTURES, folder)], selection: everything, ...overrides });
  const cellOf = (manifest: RunManifest, caseName: string) => manifest.cells.find((cell) => cell.case === caseName);
  const onDisk = async (runDir: string): Promise<RunManifest> => JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as RunManifest;

  it('makes a cell in which no test ran an error, not a skip, and the run exits 4', async () => {
    const result = await runFixture('no-test');
    const cell = cellOf(result.manifest, 'skips_everything');
    assert.equal(cell?.verdict, 'error');
    assert.equal(cell?.errorCode, 'NO_CHECKS_RAN');
    assert.equal(cellOf(result.manifest, 'fine')?.verdict, 'passed');
    assert.equal(verdictExitCode(result.manifest.summary), EXIT_CELL_ERRORS);
  });

  it("errors only its own case's cells when a checks file throws while loading, and run.json still ends", async () => {
    const result = await runFixture('throws-at-load');
    const cell = cellOf(result.manifest, 'reads_missing_fact');
    assert.equal(cell?.verdict, 'error');
    assert.equal(cell?.errorCode, 'CHECKS_FILE');
    assert.ok(cell?.failures.some((failure) => failure.message.includes('no_such_fact') && failure.message.includes('reads_missing_fact.checks.ts')), JSON.stringify(cell?.failures));
    assert.equal(cellOf(result.manifest, 'fine')?.verdict, 'passed');
    const written = await onDisk(result.runDir);
    assert.equal(written.state, 'finished');
    assert.equal(cellOf(written, 'reads_missing_fact')?.verdict, 'error');
  });

  it('confines a root-level before() that throws to the cells of its own checks file', async () => {
    const result = await runFixture('root-before');
    const cell = cellOf(result.manifest, 'root_before');
    assert.equal(cell?.verdict, 'error');
    assert.equal(cell?.errorCode, 'CHECKS_HOOK');
    assert.ok(cell?.failures.some((failure) => failure.message.includes('the setup of root_before failed')));
    assert.equal(cellOf(result.manifest, 'fine')?.verdict, 'passed');
  });

  it("errors a checks file whose describeCase name is not its case's, naming the file and the name", async () => {
    const result = await runFixture('wrong-name');
    const cell = cellOf(result.manifest, 'misnamed');
    assert.equal(cell?.verdict, 'error');
    assert.equal(cell?.errorCode, 'CHECKS_FILE');
    assert.ok(cell?.failures.some((failure) => failure.message.includes('misnamed.checks.ts') && failure.message.includes("describeCase('misnamd')")));
    assert.equal(cellOf(result.manifest, 'fine')?.verdict, 'passed');
  });

  it('makes a launch that fails an error with its code and phase, not a product failure', async () => {
    const result = await runFixture('no-test', fake(() => ({ launchFails: true })), { selection: { ...everything, grep: /fine/ } });
    const cell = cellOf(result.manifest, 'fine');
    assert.equal(cell?.verdict, 'error');
    assert.equal(cell?.errorCode, 'PLATFORM_API');
    const record = JSON.parse(await readFile(join(result.runDir, cell!.dir, 'cell.json'), 'utf8'));
    assert.equal(record.phase, 'launching');
    assert.equal(verdictExitCode(result.manifest.summary), EXIT_CELL_ERRORS);
  });

  it('judges a good harvest whose instance could not be deleted, with a warning, and the sweep removes the instance', async () => {
    const platform = new DeleteFails({ capabilities: ['out-of-band-exec'] });
    const result = await runFixture('no-test', platform, { selection: { ...everything, grep: /fine/ } });
    const cell = cellOf(result.manifest, 'fine');
    assert.equal(cell?.state, 'harvested');
    assert.equal(cell?.verdict, 'passed');
    assert.ok(cell?.warnings?.some((warning) => warning.includes('could not destroy')));
    assert.equal((await platform.listByLabel({})).length, 0);
    assert.equal(result.manifest.state, 'finished');
  });

  it('reports a marked failure as xfailed and a marked pass as xpassed, which fails the run', async () => {
    const expectationFiles = [join(FIXTURES, 'xfail-expectations', 'known-bug.yaml')];
    const behaviour = (marker: string) => (spec: LaunchSpec): FakeBehaviour => (spec.labels[LABEL_CASE] === 'known_bug' ? { outputs: { marker } } : {});
    const failing = await runFixture('xfail', fake(behaviour('bye\n')), { expectationFiles });
    assert.equal(cellOf(failing.manifest, 'known_bug')?.verdict, 'xfailed');
    assert.equal(verdictExitCode(failing.manifest.summary), 0);
    const passing = await runFixture('xfail', fake(behaviour('hi\n')), { expectationFiles });
    assert.equal(cellOf(passing.manifest, 'known_bug')?.verdict, 'xpassed');
    assert.equal(cellOf(passing.manifest, 'known_bug')?.xfail, 'the marker is written wrong: a known bug');
    assert.equal(verdictExitCode(passing.manifest.summary), EXIT_FAILED_CASES);
  });

  it('lets a failure win over an error in the exit code', () => {
    assert.equal(verdictExitCode(countVerdicts(['passed', 'error', 'failed'])), EXIT_FAILED_CASES);
    assert.equal(verdictExitCode(countVerdicts(['passed', 'error', 'skipped'])), EXIT_CELL_ERRORS);
    assert.equal(verdictExitCode(countVerdicts(['passed', 'skipped', 'xfailed'])), 0);
  });

  it('writes run.json and every report from the pipeline itself, without the CLI', async () => {
    const result = await runFixture('no-test', fake(), { selection: { ...everything, grep: /fine/ } });
    for (const file of ['run.json', 'junit.xml', 'report.html']) assert.ok(existsSync(join(result.runDir, file)), file);
    assert.equal(result.reports.htmlPath, join(result.runDir, 'report.html'));
    assert.deepEqual((await onDisk(result.runDir)).summary, result.manifest.summary);
  });
});
