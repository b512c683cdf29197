import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

const STAGES = [
  { list: 'cloud_init_modules', stage: 'init-network' },
  { list: 'cloud_config_modules', stage: 'modules-config' },
  { list: 'cloud_final_modules', stage: 'modules-final' },
] as const;

/** The module names cloud.cfg lists under `key` (" - name" or " - [name, frequency]" lines). */
function listed(cloudCfg: string, key: string): string[] {
  const section = new RegExp(`^${key}:\\n((?:[ \\t]+-.*\\n?)+)`, 'm').exec(cloudCfg)?.[1] ?? '';
  return section
    .split('\n')
    .map((line) => /^\s+-\s+\[?\s*([\w-]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

interface Ran {
  readonly name: string;
  readonly frequency: string;
}

/** Every "Running module" line, and the names every "Skipping modules" line gives. */
function activity(log: string): { ran: Ran[]; skipped: string[] } {
  const ran: Ran[] = [];
  const skipped: string[] = [];
  for (const line of log.split('\n')) {
    const running = /modules\.py\[DEBUG\]: Running module (\S+) \(.*\) with frequency (\S+)$/.exec(line);
    if (running) ran.push({ name: running[1] ?? '', frequency: running[2] ?? '' });
    const skipping = /modules\.py\[INFO\]: Skipping modules '([^']*)' because no applicable config is provided\./.exec(line);
    if (skipping) skipped.push(...(skipping[1] ?? '').split(','));
  }
  return { ran, skipped };
}

function lines(cell: HarvestedCell, name: string): string[] {
  const output = cell.command(name);
  assert.equal(output.exitCode, 0, `"${name}" failed: ${output.stderr}`);
  return output.stdout.trim().split('\n');
}

describeCase('module_accounting', (cell) => {
  const cloudCfg = (): string => cell.file('/etc/cloud/cloud.cfg');

  for (const { list, stage } of STAGES) {
    it(`${stage}: each module of ${list} either ran once, finishing with SUCCESS, or was skipped`, () => {
      const modules = listed(cloudCfg(), list);
      assert.ok(modules.length > 5, `cannot read ${list} from cloud.cfg: ${modules.join(', ')}`);
      const { ran, skipped } = activity(cell.log());
      for (const name of modules) {
        const runs = ran.filter((entry) => entry.name === name).length;
        const skips = skipped.filter((other) => other === name).length;
        assert.equal(runs + skips, 1, `${name}: ran ${runs} time(s), skipped ${skips} time(s)`);
        if (runs === 1) assert.match(cell.log(), new RegExp(`finish: ${stage}/config-${name}: SUCCESS`), `${name} did not finish with SUCCESS in ${stage}`);
      }
    });
  }

  it('semaphores match each module frequency', () => {
    const instanceSem = new Set(lines(cell, 'sem-instance'));
    const globalSem = new Set(lines(cell, 'sem-global'));
    const { ran } = activity(cell.log());
    assert.ok(ran.length > 10, `only ${ran.length} modules ran`);
    for (const { name, frequency } of ran) {
      const sem = `config_${name.replace(/-/g, '_')}`;
      if (frequency === 'once-per-instance') assert.ok(instanceSem.has(sem), `${name} (${frequency}) has no ${sem} in the instance sem folder`);
      else if (frequency === 'once') assert.ok(globalSem.has(`${sem}.once`), `${name} (once) has no ${sem}.once in /var/lib/cloud/sem`);
      else if (frequency === 'always') assert.ok(!instanceSem.has(sem) && !globalSem.has(sem), `${name} runs always, yet has a semaphore`);
      else assert.fail(`${name} runs with an unknown frequency ${frequency}`);
    }
  });
});
