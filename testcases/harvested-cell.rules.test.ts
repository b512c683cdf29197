import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { collectorNames } from '../collectors/index.js';
import type { CellRecord } from '../results-schema/cell-record.js';
import { collectorPaths, harvestedFilePath } from '../results-schema/layout.js';
import { HarvestedCell, MissingHarvestError, describeCase } from './api.js';
import { loadCase } from './loader.js';

/** What a check reads of a harvest: what is there as it was, what is not there as an error that says what to do. */
describe('a harvested cell, as checks read it', () => {
  let dir: string;
  let cell: HarvestedCell;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-harvested-cell-'));
    const caseFile = join(dir, 'reader.yaml');
    await writeFile(caseFile, 'name: reader\ndescription: reads\ncloud_config: {}\ncollect:\n  files: [/etc/listed]\n');
    const testCase = await loadCase(caseFile, collectorNames());
    const record: CellRecord = {
      case: 'reader',
      image: { ref: 'debian/trixie', fingerprint: 'f', cloudInitVersion: '25.1.4-1' },
      expect: testCase.expect,
      facts: { user: 'debian' },
      platform: 'fake',
      instance: 'cp-1',
      state: 'harvested',
      reason: undefined,
      errorCode: undefined,
      timings: [],
      dir: 'cell',
    };
    cell = new HarvestedCell(record, testCase, join(dir, 'cell'));
    const put = async (path: string, text: string): Promise<void> => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    };
    await put(harvestedFilePath(cell.dir, '/etc/present'), 'héllo\n');
    await put(harvestedFilePath(cell.dir, '/etc/empty'), '');
    await put(harvestedFilePath(cell.dir, '/var/log/cloud-init.log'), 'log line\n');
    await put(harvestedFilePath(cell.dir, '/var/log/cloud-init-output.log'), 'output line\n');
    await put(join(cell.dir, 'user-data'), '#cloud-config\n{}\n');
    const ran = collectorPaths(cell.dir, 'ran');
    await put(ran.out, 'out\n');
    await put(ran.err, 'err\n');
    await put(ran.rc, '3\n');
    const status = collectorPaths(cell.dir, 'cloud-init-status');
    await put(status.out, 'not json');
    await put(status.err, ' and an error');
    await put(status.rc, '1\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const missing = (read: () => unknown, message: RegExp): void => {
    assert.throws(read, (error: unknown) => error instanceof MissingHarvestError && message.test(error.message));
  };

  it('reads a harvested file as it was, and an empty one as empty', () => {
    assert.equal(cell.file('/etc/present'), 'héllo\n');
    assert.deepEqual(cell.fileBytes('/etc/present'), Buffer.from('héllo\n'));
    assert.equal(cell.file('/etc/empty'), '');
    assert.equal(cell.log(), 'log line\n');
    assert.equal(cell.outputLog(), 'output line\n');
    assert.equal(cell.userData(), '#cloud-config\n{}\n');
  });

  it('never reads a file that was not harvested as empty: it says whether it was asked for', () => {
    missing(() => cell.file('/etc/listed'), /^\/etc\/listed does not exist in the instance$/);
    missing(() => cell.file('/etc/unlisted'), /^\/etc\/unlisted was not harvested: add it to collect.files in reader's YAML$/);
    missing(() => cell.file('/var/log/cloud-init.bak'), /does not exist in the instance/);
    assert.equal(cell.hasFile('/etc/present'), true);
    assert.equal(cell.hasFile('/etc/listed'), false);
  });

  it("gives a command's output and exit code, and says how to collect one that was not", () => {
    assert.deepEqual(cell.command('ran'), { stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
    missing(() => cell.command('never'), /^no output of "never" was harvested: add it to collect.commands or collect.scripts in reader's YAML$/);
  });

  it('refuses a status that is not JSON, quoting both streams', () => {
    missing(() => cell.status(), /^cloud-init status did not print JSON \(exit 1\): not json and an error$/);
  });

  it('gives a fact, and names a missing one and where it goes', () => {
    assert.equal(cell.fact('user'), 'debian');
    missing(() => cell.fact('shell'), /^no fact "shell" for debian\/trixie: add it under facts:/);
  });

  it('tells the image and its cloud-init', () => {
    assert.equal(cell.imageRef, 'debian/trixie');
    assert.equal(cell.cloudInitVersion, '25.1.4-1');
  });

  it('formats the unexpected log lines of its log', async () => {
    await writeFile(harvestedFilePath(cell.dir, '/var/log/cloud-init.log'), 'x - WARNING - odd\n');
    assert.equal(cell.unexpectedLogLines(), '  cloud-init.log:1: x - WARNING - odd');
  });

  it('refuses describeCase outside an evaluation', () => {
    assert.throws(() => describeCase('reader'), /describeCase\(\) runs only inside `harness run` or `harness evaluate`/);
  });
});
