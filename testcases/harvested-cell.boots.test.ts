import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { collectorNames } from '../collectors/index.js';
import type { BootRecord, CellRecord } from '../results-schema/cell-record.js';
import { bootDir, harvestedFilePath } from '../results-schema/layout.js';
import { HarvestedCell, MissingHarvestError } from './api.js';
import { loadCase } from './loader.js';

const LOG = '/var/log/cloud-init.log';

/** A multi-boot case's checks read each boot as it was left, and the log check reads every boot once. */
describe('a harvested cell of several boots', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-boots-cell-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A cell of `count` boots whose boot n left `logs[n - 1]` (undefined: no log); `harvested` lists the earlier boots that were harvested. */
  async function cellOf(count: number, logs: readonly (string | undefined)[], options: { harvested?: readonly number[]; rebootBy?: string; reason?: string } = {}): Promise<HarvestedCell> {
    const caseFile = join(dir, 'multi.yaml');
    const reboot = options.rebootBy === undefined ? '' : `reboot: ${options.rebootBy}\n`;
    await writeFile(caseFile, `name: multi\ndescription: boots\ncloud_config: {}\n${count > 1 ? `boots: ${count}\n` : ''}${reboot}`);
    const testCase = await loadCase(caseFile, collectorNames());
    const cellDir = await mkdtemp(join(dir, 'cell-'));
    const harvested = options.harvested ?? Array.from({ length: count - 1 }, (_, index) => index + 1);
    const boots: BootRecord[] = Array.from({ length: count }, (_, index) => index + 1).map((n) => ({
      boot: n,
      dir: n === count || harvested.includes(n) ? (n === count ? '.' : join('boots', String(n))) : undefined,
    }));
    for (const [index, log] of logs.entries()) {
      if (log === undefined) continue;
      const path = harvestedFilePath(bootDir(cellDir, index + 1, count), LOG);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, log);
    }
    const record: CellRecord = {
      case: 'multi',
      image: { ref: 'debian/bookworm', fingerprint: 'f', cloudInitVersion: '22.4.2-1' },
      expect: testCase.expect,
      facts: {},
      platform: 'fake',
      instance: 'cp-1',
      state: 'harvested',
      reason: options.reason,
      errorCode: undefined,
      timings: [],
      boots,
      dir: 'cell',
    };
    return new HarvestedCell(record, testCase, cellDir);
  }

  it('is its last boot, and reads an earlier boot from its own folder', async () => {
    const cell = await cellOf(3, ['one\n', 'two\n', 'three\n']);
    assert.equal(cell.bootCount, 3);
    assert.equal(cell.bootNumber, 3);
    assert.equal(cell.log(), 'three\n');
    assert.equal(cell.boot(3), cell);
    assert.equal(cell.boot(1).log(), 'one\n');
    assert.equal(cell.boot(2).bootNumber, 2);
    assert.equal(cell.boot(1).boot(2).log(), 'two\n');
  });

  it('refuses a boot the case does not have, saying which it has', async () => {
    const single = await cellOf(1, ['only\n']);
    assert.throws(() => single.boot(2), (error: unknown) => error instanceof RangeError && error.message === 'boot(2): multi has one boot, boot(1) (set boots: in its YAML for more)');
    assert.equal(single.boot(1), single);
    const triple = await cellOf(3, ['a', 'b', 'c']);
    for (const n of [0, 4, 1.5]) {
      assert.throws(() => triple.boot(n), (error: unknown) => error instanceof RangeError && error.message === `boot(${n}): multi has boots 1 to 3 (set boots: in its YAML for more)`, String(n));
    }
  });

  it('says why an earlier boot was not harvested', async () => {
    const stopped = await cellOf(3, [undefined, undefined, 'c'], { harvested: [1], reason: 'the second boot timed out' });
    assert.equal(stopped.boot(1).bootNumber, 1);
    assert.throws(() => stopped.boot(2), (error: unknown) => error instanceof MissingHarvestError && error.message === 'boot 2 of multi was not harvested: the cell stopped before it (the second boot timed out)');
    const unexplained = await cellOf(2, [undefined, 'b'], { harvested: [] });
    assert.throws(() => unexplained.boot(1), /the cell stopped before it \(see cell\.json\)/);
    const itself = await cellOf(2, [undefined, 'b'], { harvested: [], rebootBy: 'instance' });
    assert.throws(() => itself.boot(1), (error: unknown) => error instanceof MissingHarvestError && /^boot 1 of multi was not harvested: the instance rebooted itself \(reboot: instance\)/.test(error.message));
  });

  it("reads every boot's log once: a log the next boot only appended to is not read twice", async () => {
    const appended = await cellOf(3, ['A\n', 'A\nB\n', 'A\nB\nC\n']);
    assert.equal(appended.logOfAllBoots(), 'A\nB\nC\n');
    const cleaned = await cellOf(3, ['A\n', 'B\n', 'B\nC\n']);
    assert.equal(cleaned.logOfAllBoots(), 'A\n\nB\nC\n');
    assert.equal(cleaned.boot(2).logOfAllBoots(), 'A\n\nB\n');
  });

  it('reads the logs of the boots it has, skipping one not harvested and one without a log', async () => {
    const gaps = await cellOf(3, ['A\n', undefined, 'C\n'], { harvested: [2] });
    assert.equal(gaps.logOfAllBoots(), 'C\n');
    const noLog = await cellOf(2, ['A\n', undefined]);
    assert.equal(noLog.logOfAllBoots(), 'A\n');
    const single = await cellOf(1, ['only\n']);
    assert.equal(single.logOfAllBoots(), 'only\n');
  });
});
