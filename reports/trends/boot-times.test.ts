import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellBootTimes } from './boot-times.js';
import type { BootTimes } from '../../results-schema/boot-times.js';

// Real harvests from LXD (bookworm, cloud-init 22.4.2), trimmed to the files boot times read.
const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'boot-times');
const SINGLE_BOOT = join(FIXTURES, '20261203-081840-bd64', 'clean_boot', 'debian-bookworm');
const TWO_BOOTS = join(FIXTURES, '20261203-081912-8a31', 'frequencies_across_reboot', 'debian-bookworm');

const stageMs = (times: BootTimes): Record<string, number> => Object.fromEntries(times.stages.map((stage) => [stage.stage, stage.ms]));
const moduleMs = (times: BootTimes, stage: string, module: string): number | undefined =>
  times.stages.find((entry) => entry.stage === stage)?.modules.find((entry) => entry.module === module)?.ms;

describe('boot times from a harvest', () => {
  it('gives each stage of one boot its finish less its start, and their sum as the cloud-init time', async () => {
    const [boot, ...more] = (await cellBootTimes(SINGLE_BOOT))!;
    assert.equal(more.length, 0);
    assert.equal(boot!.boot, 1);
    assert.deepEqual(stageMs(boot!), { 'init-local': 434, init: 2299, 'modules-config': 355, 'modules-final': 286 });
    assert.equal(boot!.cloudInitMs, 434 + 2299 + 355 + 286);
    assert.deepEqual(boot!.missingStages, []);
  });

  it("names each stage's config modules with their durations and results, and nothing that is not a module", async () => {
    const [boot] = (await cellBootTimes(SINGLE_BOOT))!;
    const init = boot!.stages.find((stage) => stage.stage === 'init')!;
    assert.ok(init.modules.some((module) => module.module === 'set_hostname' && module.result === 'SUCCESS'));
    assert.ok(!init.modules.some((module) => /cache|datasource|user-data/.test(module.module)), JSON.stringify(init.modules));
    assert.equal(init.modules.length, 9);
    assert.ok(boot!.stages.find((stage) => stage.stage === 'modules-final')!.modules.some((module) => module.module === 'scripts-user'));
  });

  it("takes each boot's own events from a two-boot harvest, whose last log holds both boots", async () => {
    const boots = (await cellBootTimes(TWO_BOOTS))!;
    assert.deepEqual(
      boots.map((boot) => boot.boot),
      [1, 2],
    );
    assert.deepEqual(stageMs(boots[0]!), { 'init-local': 190, init: 1236, 'modules-config': 373, 'modules-final': 220 });
    assert.deepEqual(stageMs(boots[1]!), { 'init-local': 92, init: 423, 'modules-config': 82, 'modules-final': 90 });
    assert.equal(moduleMs(boots[0]!, 'modules-final', 'scripts-user'), 3);
    assert.equal(moduleMs(boots[1]!, 'modules-final', 'scripts-user'), 0);
  });

  it("reads systemd's figures of each boot, and says why a container has no kernel or firmware figure", async () => {
    const boots = (await cellBootTimes(TWO_BOOTS))!;
    assert.deepEqual(boots[0]!.systemd.figures, { userspace: 8078 });
    assert.deepEqual(boots[1]!.systemd.figures, { userspace: 6532 });
    const kernel = boots[1]!.systemd.missing.find((missing) => missing.name === 'kernel');
    assert.match(kernel!.reason, /container/);
    assert.ok(boots[1]!.systemd.blame.length > 10);
  });
});

describe('boot times of a case that reboots itself', () => {
  let cell: string;
  beforeEach(async () => {
    cell = await mkdtemp(join(tmpdir(), 'cloudproof-boot-times-'));
  });
  afterEach(() => rm(cell, { recursive: true, force: true }));

  it('finds a boot that was not harvested in the last harvest, when that shows every boot, without systemd figures', async () => {
    await mkdir(join(cell, 'collectors'));
    await copyFile(join(TWO_BOOTS, 'collectors', 'analyze-dump.out'), join(cell, 'collectors', 'analyze-dump.out'));
    const record = JSON.parse(await readFile(join(TWO_BOOTS, 'cell.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(cell, 'cell.json'), JSON.stringify({ ...record, boots: [{ boot: 1 }, { boot: 2, dir: '' }] }));
    const boots = (await cellBootTimes(cell))!;
    assert.deepEqual(
      boots.map((boot) => [boot.boot, boot.cloudInitMs]),
      [
        [1, 2019],
        [2, 687],
      ],
    );
    assert.match(boots[0]!.systemd.missing[0]!.reason, /rebooted itself/);
    assert.match(boots[1]!.systemd.missing[0]!.reason, /no systemd-times output/);
  });
});
