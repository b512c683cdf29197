import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

const STAGES = ['init-local', 'init-network', 'modules-config', 'modules-final'];

/** blame's "     00.12300s (stage/event)" lines, as [seconds, event]. */
function blamed(text: string): Array<[number, string]> {
  return [...text.matchAll(/^\s+(\d+\.\d+)s \((\S+)\)$/gm)].map((match) => [Number(match[1]), match[2] as string]);
}

describeCase('analyze_show_blame', (cell) => {
  it('show: the four stages start and finish, in boot order', () => {
    const show = cell.stdoutOf('show');
    // 25.1 prints a stage's heading again after its "restored from cache" event: count it once
    const started = [...show.matchAll(/^Starting stage: (\S+)$/gm)].map((match) => match[1]).filter((stage, at, all) => stage !== all[at - 1]);
    assert.deepEqual(started, STAGES, show);
    const finished = [...show.matchAll(/^Finished stage: \((\S+)\) \d+\.\d+ seconds$/gm)].map((match) => match[1]);
    assert.deepEqual(finished, STAGES, show);
  });

  it('show: write_files ran in init-network, runcmd in modules-config, scripts-user in modules-final', () => {
    const show = cell.stdoutOf('show');
    const stageOf = (event: RegExp): string | undefined => {
      let stage: string | undefined;
      for (const line of show.split('\n')) {
        stage = /^Starting stage: (\S+)$/.exec(line)?.[1] ?? stage;
        if (event.test(line)) return stage;
      }
      return undefined;
    };
    assert.equal(stageOf(/->config-write-files ran successfully/), 'init-network', show);
    assert.equal(stageOf(/->config-runcmd ran successfully/), 'modules-config', show);
    assert.equal(stageOf(/->config-scripts-user ran successfully/), 'modules-final', show);
  });

  it('show and blame each count exactly one boot record', () => {
    assert.match(cell.stdoutOf('show'), /^1 boot records analyzed$/m);
    assert.match(cell.stdoutOf('blame'), /^1 boot records analyzed$/m);
  });

  it('blame: every timed module, slowest first, scripts-user among them', () => {
    const entries = blamed(cell.stdoutOf('blame'));
    assert.ok(entries.length >= 10, `blame timed only ${entries.length} events:\n${cell.stdoutOf('blame')}`);
    const seconds = entries.map(([time]) => time);
    assert.deepEqual(seconds, [...seconds].sort((a, b) => b - a), 'blame is not sorted slowest first');
    const events = entries.map(([, event]) => event);
    assert.ok(events.includes('modules-final/config-scripts-user'), events.join('\n'));
    assert.ok(events.includes('init-network/config-write-files'), events.join('\n'));
  });
});
