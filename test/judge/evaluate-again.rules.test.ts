import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../../core/errors.js';
import { evaluateAgain } from '../../harness/evaluate/again.js';
import { FakePlatform } from '../../platforms/fake/platform.js';
import type { RunManifest } from '../../results-schema/run-manifest.js';
import { runOn } from '../run-on.js';

const QUIET = join(import.meta.dirname, '..', 'fixtures', 'cases', 'basic', 'quiet.yaml');

/** What `harness evaluate` refuses, each as bad input that says what is wrong, and what it takes from the run. */
describe('harness evaluate: the rules of judging again', () => {
  let work: string;
  let runDir: string;
  let caseFile: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-again-rules-'));
    caseFile = join(work, 'cases', 'quiet.yaml');
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function harvestedRun(): Promise<void> {
    await mkdir(join(work, 'cases'), { recursive: true });
    await cp(QUIET, caseFile);
    await writeFile(join(work, 'vendor.yaml'), '{}\n');
    runDir = (await runOn(new FakePlatform({}), join(work, 'results'), { testcaseDirs: [join(work, 'cases')], expectationFiles: [join(work, 'vendor.yaml')] })).runDir;
  }
  const manifest = async (): Promise<RunManifest> => JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as RunManifest;
  const refused = async (message: RegExp): Promise<void> => {
    await assert.rejects(evaluateAgain(runDir, { reporterOutput: 'none' }), (error: unknown) => error instanceof HarnessError && error.exitCode === 2 && message.test(error.message));
  };

  it('refuses a folder that is not a run', async () => {
    runDir = work;
    await refused(/is not a run folder \(no readable run\.json\)$/);
  });

  it('refuses a run whose case file is gone, naming it', async () => {
    await harvestedRun();
    await rm(caseFile);
    await refused(/^case file .*quiet\.yaml of case quiet, recorded in run\.json, no longer exists$/);
  });

  it("refuses a run whose cell's cell.json is missing, or names a case the run does not list", async () => {
    await harvestedRun();
    const cell = (await manifest()).cells[0]!;
    const cellJson = join(runDir, cell.dir, 'cell.json');
    const record = await readFile(cellJson, 'utf8');
    await writeFile(cellJson, record.replace('"case": "quiet"', '"case": "stranger"'));
    await refused(/cell\.json names case stranger, which run\.json does not list$/);
    await rm(cellJson);
    await refused(/\/cell\.json is missing or unreadable$/);
  });

  it('says why a run with nothing harvested cannot be judged', async () => {
    await harvestedRun();
    const written = await manifest();
    await writeFile(join(runDir, 'run.json'), JSON.stringify({ ...written, cells: written.cells.map((cell) => ({ ...cell, state: 'not-run' })) }));
    await refused(/has no harvested or skipped cell to judge$/);
  });

  it('judges the harvested cells and leaves a cell that never ran alone', async () => {
    await harvestedRun();
    const written = await manifest();
    const ghost = { ...written.cells[0]!, image: 'debian/trixie', dir: 'quiet/never-ran', state: 'not-run' as const, verdict: undefined };
    await writeFile(join(runDir, 'run.json'), JSON.stringify({ ...written, cells: [...written.cells, ghost] }));
    const again = await evaluateAgain(runDir, { reporterOutput: 'none' });
    assert.deepEqual(again.manifest.cells.map((cell) => [cell.image, cell.verdict]), [['debian/bookworm', 'passed'], ['debian/trixie', undefined]]);
  });

  it("applies an expectations file by the cell's own platform and image", async () => {
    await harvestedRun();
    await writeFile(join(work, 'vendor.yaml'), 'platforms:\n  fake:\n    xfail: "a bug of the fake"\nimages:\n  "debian/bookworm":\n    facts: {user: debian}\n');
    const again = await evaluateAgain(runDir, { reporterOutput: 'none' });
    assert.equal(again.manifest.cells[0]?.verdict, 'xpassed');
    assert.deepEqual(again.manifest.cells[0]?.expectationsApplied?.map((applied) => applied.key), ['platforms.fake', 'images["debian/bookworm"]']);
  });
});
