import assert from 'node:assert/strict';
import { countVerdicts, VERDICTS } from './verdict.js';

describe('verdict counts', () => {
  it('counts every verdict, zero for the absent ones, and leaves out cells not judged', () => {
    assert.deepEqual(countVerdicts(['passed', 'failed', 'passed', undefined, 'xpassed']), { passed: 2, failed: 1, error: 0, skipped: 0, xfailed: 0, xpassed: 1 });
    assert.deepEqual(Object.keys(countVerdicts([])), [...VERDICTS]);
    assert.deepEqual(VERDICTS, ['passed', 'failed', 'error', 'skipped', 'xfailed', 'xpassed']);
  });
});
