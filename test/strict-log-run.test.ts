import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakePlatform } from '../platforms/fake/platform.js';
import { runOn } from './run-on.js';

const ONLY = { selection: { grep: undefined, tags: [], excludeTags: [] }, testcaseDirs: [join(import.meta.dirname, 'fixtures', 'cases', 'strict-log')] };
const WARNING = '2026-11-28 14:00:01,000 - cc_example.py[WARNING]: required trouble';
const traceback = (exception: string): string => ['2026-11-28 14:00:01,000 - util.py[DEBUG]: failed', 'Traceback (most recent call last):', '  File "x.py", line 1, in f', exception].join('\n');

describe('built-in log check (fake platform)', () => {
  let results: string;
  beforeEach(async () => {
    results = await mkdtemp(join(tmpdir(), 'cloudproof-results-'));
  });
  afterEach(async () => {
    await rm(results, { recursive: true, force: true });
  });
  const verdictWith = async (log: string) => {
    const result = await runOn(new FakePlatform({ behaviourOf: () => ({ log: `${log}\n` }) }), results, ONLY);
    return result.verdicts.get('requires_warning [debian/bookworm]');
  };

  it('passes when the required WARNING came and the Traceback is the allowed one', async () => {
    assert.equal((await verdictWith(`${WARNING}\n${traceback('ValueError: expected')}`))?.verdict, 'passed');
  });

  it('fails when a required WARNING never appeared, naming it', async () => {
    const verdict = await verdictWith('2026-11-28 14:00:01,000 - util.py[DEBUG]: quiet');
    assert.equal(verdict?.verdict, 'failed');
    assert.ok(verdict?.failures.some((failure) => failure.message.includes('required WARNING never appeared: cc_example\\.py\\[WARNING\\]: required trouble')), JSON.stringify(verdict?.failures));
  });

  it('fails on a Traceback of another exception than the allowed one', async () => {
    const verdict = await verdictWith(`${WARNING}\n${traceback('KeyError: other')}`);
    assert.equal(verdict?.verdict, 'failed');
    assert.ok(verdict?.failures.some((failure) => failure.message.includes('KeyError: other')), JSON.stringify(verdict?.failures));
  });
});
