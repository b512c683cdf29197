import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { HARNESS } from './cli-run.js';

describe('harness compare (CLI, fake platform)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cloudproof-compare-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const compare = (...args: string[]) => execa('node', [HARNESS, 'compare', '--platform', 'fake', '--results', dir, ...args], { reject: false, env: { CI: 'true' } });

  it('refuses boots it cannot compare, in one line, before booting anything', async () => {
    const capped = await compare('--build', 'none', '--boots', '6', '--max-boots', '3');
    assert.equal(capped.exitCode, 2);
    assert.match(capped.stderr, /^harness: --max-boots 3 is fewer than --boots 6 \(pass --max-boots 6 or more\)$/m);
    const one = await compare('--build', 'none', '--boots', '1');
    assert.equal(one.exitCode, 2);
    assert.match(one.stderr, /--boots must be 2 or more/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('interleaves the runs, and with no boot that passed has nothing to compare: exit 4, and the runs kept', async () => {
    // The fake guest keeps no analyze events, and its clean_boot fails its own checks: nothing is measured.
    const run = await compare('--build', 'none', '--boots', '2', '--max-boots', '2');
    assert.equal(run.exitCode, 4, run.stderr);
    assert.deepEqual(run.stderr.match(/^round \d: \w+/gm), ['round 1: baseline', 'round 1: candidate', 'round 2: candidate', 'round 2: baseline']);
    assert.match(run.stderr, /no boot of either build passed, so there is nothing to compare/);
    const [folder] = readdirSync(dir);
    assert.match(folder ?? '', /^compare-/);
    const written = JSON.parse(readFileSync(join(dir, folder ?? '', 'compare.json'), 'utf8')) as { runs: unknown[]; leftOut: unknown[] };
    assert.equal(written.runs.length, 4);
    assert.equal(written.leftOut.length, 4);
  });
});
