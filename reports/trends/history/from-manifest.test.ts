import assert from 'node:assert/strict';
import { recordedRun } from '../../../test/replayed-history.js';
import type { ManifestCell } from '../../../results-schema/run-manifest.js';
import { historyOf } from './from-manifest.js';

describe('history rows of a run', () => {
  it("records a shared boot once, as a series of its own named by its cases, and a case run again alone under its own name", async () => {
    const recorded = await recordedRun();
    const [cell] = recorded.cells;
    assert.ok(cell?.bootTimes?.length, 'the recorded run has boot times');
    const shared = { dir: '_shared-boots/1/debian-bookworm', cases: ['a', 'b'] };
    const cells: ManifestCell[] = [
      { ...cell, case: 'a', sharedBoot: shared },
      { ...cell, case: 'b', sharedBoot: shared },
      { ...cell, case: 'c', sharedBoot: { ...shared, dir: '_shared-boots/2/debian-bookworm', cases: ['c', 'd'], rerunAlone: { verdictThere: 'failed', keptIn: 'shared-boot' } } },
      { ...cell, case: 'e' },
    ];
    const alone = historyOf(recorded).timings.length;
    const rows = historyOf({ ...recorded, cells }).timings;
    assert.deepEqual([...new Set(rows.map((row) => row.case))], ['shared:a+b', 'c', 'e']);
    assert.equal(rows.length, 3 * alone);
  });
});
