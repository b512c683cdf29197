import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { handMadeRun, type HandMadeCell } from '../test/matrix-run-folder.js';
import { findDifferences, formatDifferences, normalizeLogLine } from './differences.js';

const LOG = 'files/var/log/cloud-init.log';
const JINJA_WARNING = "jinja_template.py[WARNING]: Ignoring jinja template for part-001: 'merged_system_cfg' is undefined";
const failure = (message: string) => [{ test: 'cloud-init.log has no unexpected WARNING, ERROR or Traceback', message }];

describe('differences between images', () => {
  const runDirs: string[] = [];
  const run = async (cells: HandMadeCell[]) => {
    const made = await handMadeRun(cells);
    runDirs.push(made.runDir);
    return findDifferences(made.runDir, made.manifest);
  };
  after(async () => {
    await Promise.all(runDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('names a case that passes on one image and fails on another, with the log lines only the failing image has', async () => {
    const differences = await run([
      {
        case: 'jinja_feature',
        image: 'debian/trixie',
        verdict: 'passed',
        files: { [LOG]: '2026-11-28 15:14:01,100 - util.py[WARNING]: slow disk took 812 ms\n2026-11-28 15:14:02,000 - util.py[DEBUG]: done\n' },
      },
      {
        case: 'jinja_feature',
        image: 'debian/bookworm',
        verdict: 'failed',
        failures: failure(`cloud-init.log has 1 line(s) this case does not expect:\n  cloud-init.log:2: ${JINJA_WARNING}`),
        files: {
          // The first warning is the passing image's with other numbers and another time: not a difference.
          [LOG]: `2026-11-28 15:13:59,999 - util.py[WARNING]: slow disk took 93 ms\n2026-11-28 15:14:02,821 - ${JINJA_WARNING}\n2026-11-28 15:14:03,000 - ${JINJA_WARNING}\n`,
        },
      },
    ]);
    assert.equal(differences.length, 1);
    assert.deepEqual(formatDifferences(differences), [
      'jinja_feature: passes on debian/trixie, fails on debian/bookworm: cloud-init.log has 1 line(s) this case does not expect:',
      `    debian/bookworm cloud-init.log:2: 2026-11-28 15:14:02,821 - ${JINJA_WARNING}`,
    ]);
  });

  it('leaves out cases whose outcome is the same everywhere, or that were skipped where they did not fail', async () => {
    const differences = await run([
      { case: 'both_pass', image: 'debian/bookworm', verdict: 'passed' },
      { case: 'both_pass', image: 'debian/trixie', verdict: 'passed' },
      { case: 'both_fail', image: 'debian/bookworm', verdict: 'failed', failures: failure('broken') },
      { case: 'both_fail', image: 'debian/trixie', verdict: 'failed', failures: failure('broken') },
      { case: 'declared', image: 'debian/bookworm', verdict: 'skipped', reason: 'needs cloud-init >=23.3; debian/bookworm has 22.4.2' },
      { case: 'declared', image: 'debian/trixie', verdict: 'passed' },
    ]);
    assert.deepEqual(differences, []);
  });

  it('still names the difference when the failing image left no cloud-init.log, and lists every image on each side', async () => {
    const differences = await run([
      { case: 'boots', image: 'debian/bookworm', verdict: 'passed' },
      { case: 'boots', image: 'debian/trixie', verdict: 'failed', failures: [{ test: 'boots and is harvested', message: 'cloud-init did not finish within 120 s\nmore' }] },
      { case: 'boots', image: 'debian/sid', verdict: 'failed', failures: failure('other') },
    ]);
    assert.deepEqual(formatDifferences(differences), ['boots: passes on debian/bookworm, fails on debian/trixie, debian/sid: cloud-init did not finish within 120 s']);
  });

  it('normalizes timestamps, numbers and addresses away, and nothing else', () => {
    assert.equal(
      normalizeLogLine('2026-11-28 15:14:02,821 - subp.py[WARNING]: pid 4242 at 0x7f3a2c exited 1 after 3.25 s'),
      'subp.py[WARNING]: pid N at ADDR exited N after N.N s',
    );
    assert.notEqual(normalizeLogLine('a.py[WARNING]: disk full'), normalizeLogLine('a.py[WARNING]: disk empty'));
  });
});
