import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cellKey, evaluateRun } from '../../harness/evaluate/evaluate.js';
import { BEFORE_REBOOT_COMMAND, bootDir, collectorPaths, harvestedFilePath } from '../../results-schema/layout.js';
import { BOOT_ID_PATH } from '../../platforms/wait/boot-id.js';
import type { CellVerdict } from '../../results-schema/verdict.js';
import { DONE, writeRun } from './judge-cell.js';

const LOG = '/var/log/cloud-init.log';
const QUIET = '2026-01-01 00:00:00,000 - util.py[DEBUG]: all well\n';

interface Boot {
  readonly bootId?: string;
  readonly log?: string;
  readonly status?: string;
  readonly beforeReboot?: { readonly exitCode: number; readonly output: string };
}

/** A harvested cell of `boots.length` boots (the last is the cell folder's own), judged by the real evaluator. */
async function judgeBoots(caseExtra: string, boots: readonly Boot[]): Promise<CellVerdict> {
  const count = boots.length;
  const { runDir, options, cells, cleanup } = await writeRun([{ caseYaml: `name: multi\ndescription: d\ncloud_config: {}\nboots: ${count}\n${caseExtra}`, record: { boots: boots.map((_, index) => ({ boot: index + 1, dir: index + 1 === count ? '' : join('boots', String(index + 1)) })) } }]);
  try {
    const cellDir = join(runDir, cells[0]?.record.dir ?? '');
    const write = async (path: string, text: string) => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    };
    for (const [index, boot] of boots.entries()) {
      const dir = bootDir(cellDir, index + 1, count);
      const status = collectorPaths(dir, 'cloud-init-status');
      await Promise.all([write(status.out, boot.status ?? DONE), write(status.err, ''), write(status.rc, '0\n')]);
      const schema = collectorPaths(dir, 'schema-system');
      await Promise.all([write(schema.out, 'Valid schema\n'), write(schema.err, ''), write(schema.rc, '0\n')]);
      await write(harvestedFilePath(dir, LOG), boot.log ?? QUIET);
      if (boot.bootId !== undefined) await write(harvestedFilePath(dir, BOOT_ID_PATH), `${boot.bootId}\n`);
      if (boot.beforeReboot !== undefined) {
        const step = collectorPaths(dir, BEFORE_REBOOT_COMMAND);
        await Promise.all([write(step.out, boot.beforeReboot.output), write(step.err, ''), write(step.rc, `${boot.beforeReboot.exitCode}\n`)]);
      }
    }
    const verdicts = await evaluateRun(options);
    const verdict = verdicts.get(cellKey(cells[0]!.record));
    assert.ok(verdict, 'no verdict for the cell');
    return verdict;
  } finally {
    await cleanup();
  }
}

const failedTests = (verdict: CellVerdict): string[] => verdict.failures.map((failure) => failure.test);

describe('the judge of a case across boots', () => {
  it('passes two boots with different boot ids, each done, whose logs are clean', async () => {
    const verdict = await judgeBoots('', [{ bootId: 'a' }, { bootId: 'b' }]);
    assert.equal(verdict.verdict, 'passed', JSON.stringify(verdict.failures));
  });

  it('fails when the boot ids repeat: the instance did not reboot', async () => {
    const verdict = await judgeBoots('', [{ bootId: 'a' }, { bootId: 'a' }]);
    assert.deepEqual(failedTests(verdict), ['boots 2 times, each a new boot']);
    assert.match(verdict.failures[0]?.message ?? '', /^boot ids repeat, so the instance did not reboot each time: a, a/);
  });

  it('fails when a boot id was not harvested', async () => {
    const verdict = await judgeBoots('', [{}, { bootId: 'b' }]);
    assert.deepEqual(failedTests(verdict), ['boots 2 times, each a new boot']);
    assert.match(verdict.failures[0]?.message ?? '', /^the boot id of a boot could not be read: \[null,"b"\]/);
  });

  it("fails on an earlier boot's status, naming the boot", async () => {
    const verdict = await judgeBoots('', [{ bootId: 'a', status: JSON.stringify({ status: 'error', errors: ['bad'] }) }, { bootId: 'b' }]);
    assert.deepEqual(failedTests(verdict), ['boot 1: cloud-init finishes with status done']);
  });

  it('fails on a WARNING of the first boot that a clean before the second removed from its log', async () => {
    const warning = '2026-01-01 00:00:00,000 - cc_x.py[WARNING]: first boot trouble\n';
    const verdict = await judgeBoots('before_reboot: cloud-init clean --logs\n', [
      { bootId: 'a', log: warning, beforeReboot: { exitCode: 0, output: '' } },
      { bootId: 'b' },
    ]);
    assert.deepEqual(failedTests(verdict), ['cloud-init.log has no unexpected WARNING, ERROR or Traceback in any of its 2 boots']);
    assert.match(verdict.failures[0]?.message ?? '', /first boot trouble/);
  });

  it('fails when before_reboot failed, quoting what it printed', async () => {
    const verdict = await judgeBoots('before_reboot: "false"\n', [{ bootId: 'a', beforeReboot: { exitCode: 3, output: 'no such seed\n' } }, { bootId: 'b' }]);
    assert.deepEqual(failedTests(verdict), ['boot 1: before_reboot exits 0']);
    assert.equal(verdict.failures[0]?.message.split('\n').slice(0, 2).join('\n'), 'before_reboot failed (exit 3):\nno such seed');
  });

  it('counts the boots of an instance that rebooted itself in its cloud-init.log', async () => {
    const start = "2026-01-01 00:00:00,000 - util.py[DEBUG]: Cloud-init v. 22.4.2 running 'init-local' at now\n";
    const rebooted = await judgeBoots('reboot: instance\n', [{}, { log: start + start }]);
    assert.equal(rebooted.verdict, 'passed', JSON.stringify(rebooted.failures));
    const once = await judgeBoots('reboot: instance\n', [{}, { log: start }]);
    assert.deepEqual(failedTests(once), ['reboots itself into 2 boots']);
    assert.match(once.failures[0]?.message ?? '', /^cloud-init\.log shows 1 boot\(s\)/);
  });
});
