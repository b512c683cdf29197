import assert from 'node:assert/strict';
import { createProgressDisplay } from '../harness/cli/progress.js';
import type { RunPlan } from '../harness/run/observer.js';

const PLAN: RunPlan = {
  runId: '20261202-000000-abcd',
  runDir: '/results/20261202-000000-abcd',
  platform: 'fake',
  images: ['debian/bookworm'],
  concurrency: 2,
  notes: [],
  platformSummary: 'fake platform (in-process)',
  cells: [
    { key: 'a [debian/bookworm]', skipReason: undefined },
    { key: 'b [debian/bookworm]', skipReason: undefined },
    { key: 'c [debian/bookworm]', skipReason: 'needs reboot' },
  ],
};

describe('progress display (plain: CI logs and pipes)', () => {
  it('says of each finished cell what is known before judging, and where a stopped one stopped', () => {
    const lines: string[] = [];
    const { observer } = createProgressDisplay(false, (line) => lines.push(line), 'repetition 2/3: ');
    observer.planned(PLAN);
    observer.phase('a [debian/bookworm]', 'launching');
    observer.phase('a [debian/bookworm]', 'booting');
    observer.cellFinished('a [debian/bookworm]', 'failed-to-boot', 'cloud-init did not finish within 60 s');
    observer.phase('b [debian/bookworm]', 'harvesting');
    observer.cellFinished('b [debian/bookworm]', 'harvested', undefined);
    observer.cellFinished('c [debian/bookworm]', 'skipped', 'needs reboot');
    observer.evaluating();

    assert.equal(lines[0], 'repetition 2/3: run 20261202-000000-abcd: 3 case(s) on fake (debian/bookworm), 2 at a time');
    const finished = lines.filter((line) => /\] \d\/3 /.test(line)).map((line) => line.replace(/^\[\s*\d+s\] /, ''));
    assert.deepEqual(finished, [
      '1/3 a [debian/bookworm] stopped while booting: cloud-init did not finish within 60 s',
      '2/3 b [debian/bookworm] harvested',
      '3/3 c [debian/bookworm] skipped: needs reboot',
    ]);
    assert.match(lines.at(-1) ?? '', /evaluating: 1 harvested, 1 stopped early, 1 skipped$/);
    assert.ok(!lines.some((line) => line.includes('did not boot')), 'a stop is not called a boot failure: the judge decides');
  });
});
