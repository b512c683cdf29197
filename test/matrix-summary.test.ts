import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { formatSummary } from '../harness/cli/summary.js';
import { findDifferences } from '../reports/differences.js';
import { handMadeRun } from './matrix-run-folder.js';

describe('summary of a two-image run', () => {
  it('prints the case × image table, the differences between images and, last, the report', async () => {
    const { runDir, manifest } = await handMadeRun([
      { case: 'write_files', image: 'debian/bookworm', verdict: 'passed' },
      { case: 'write_files', image: 'debian/trixie', verdict: 'passed' },
      { case: 'jinja_feature', image: 'debian/bookworm', verdict: 'failed', failures: [{ test: 'log', message: 'cloud-init.log has 1 line(s) this case does not expect:\n  x' }] },
      { case: 'jinja_feature', image: 'debian/trixie', verdict: 'passed' },
      { case: 'declared', image: 'debian/bookworm', verdict: 'skipped', reason: 'needs cloud-init >=23.3; debian/bookworm has 22.4.2-1+deb12u4' },
      { case: 'declared', image: 'debian/trixie', verdict: 'passed' },
    ]);
    try {
      const reportPath = join(runDir, 'report.html');
      const summary = formatSummary(
        { runId: manifest.runId, runDir, manifest, verdicts: new Map(), kept: [], interrupted: false },
        { differences: await findDifferences(runDir, manifest), htmlPath: reportPath },
      ).split('\n');
      assert.deepEqual(summary.slice(0, 4), [
        'case           debian/bookworm  debian/trixie',
        'write_files    pass             pass         ',
        'jinja_feature  FAIL             pass         ',
        'declared       skip             pass         ',
      ]);
      assert.ok(summary.includes('  declared [debian/bookworm]: needs cloud-init >=23.3; debian/bookworm has 22.4.2-1+deb12u4'));
      const differences = summary.indexOf('Differences between images:');
      assert.ok(differences > 0, summary.join('\n'));
      assert.equal(summary[differences + 1], '  jinja_feature: passes on debian/trixie, fails on debian/bookworm: cloud-init.log has 1 line(s) this case does not expect:');
      assert.equal(summary.at(-1), `report: ${reportPath}`);
    } finally {
      await rm(runDir, { recursive: true, force: true });
    }
  });
});
