import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakePlatform } from '../platforms/fake/platform.js';
import type { LaunchSpec } from '../platforms/types.js';
import type { CellRecord } from '../results-schema/cell-record.js';
import { runOn } from './run-on.js';

/** A case's `transport:` through a run on the fake platform, which serves exec out of band only. */
describe('a case that asks for a transport (fake platform)', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-transport-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('launches with the transport asked for and records it in cell.json and run.json; skips a transport the platform lacks, saying why', async () => {
    const cases = join(work, 'cases');
    await mkdir(cases);
    await writeFile(join(cases, 'out_of_band.yaml'), 'description: d\ntransport: out-of-band\ncloud_config: {}\n');
    await writeFile(join(cases, 'over_ssh.yaml'), 'description: d\ntransport: ssh\ncloud_config: {}\n');
    await writeFile(join(cases, 'either.yaml'), 'description: d\ncloud_config: {}\n');
    const launches: LaunchSpec[] = [];
    const platform = new FakePlatform({ behaviourOf: (spec) => (launches.push(spec), {}) });
    const { manifest, runDir } = await runOn(platform, work, { testcaseDirs: [cases] });
    const cellOf = (name: string) => manifest.cells.find((cell) => cell.case === name);

    assert.equal(cellOf('over_ssh')?.state, 'skipped');
    assert.equal(cellOf('over_ssh')?.reason, 'needs ssh, which the fake platform does not offer');
    assert.deepEqual(launches.map((spec) => [spec.name.endsWith('either'), spec.transport]).sort(), [[false, 'out-of-band'], [true, undefined]]);
    const recordOf = async (name: string): Promise<CellRecord> => JSON.parse(await readFile(join(runDir, cellOf(name)?.dir ?? '', 'cell.json'), 'utf8')) as CellRecord;
    assert.equal((await recordOf('out_of_band')).transport, 'out-of-band');
    assert.equal((await recordOf('either')).transport, undefined, 'the fake does not say, and the case did not ask');
    assert.deepEqual(['out_of_band', 'either'].map((name) => cellOf(name)?.transport), ['out-of-band', undefined], 'run.json says what cell.json says');
  });
});
