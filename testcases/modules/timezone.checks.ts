import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

const ZONE = 'Europe/Berlin';

function stdout(cell: HarvestedCell, name: string): string {
  const output = cell.command(name);
  assert.equal(output.exitCode, 0, `"${name}" failed (exit ${output.exitCode}): ${output.stderr.trim()}`);
  return output.stdout.trim();
}

describeCase('timezone', (cell) => {
  it('the image has the zone file (tzdata)', () => {
    assert.equal(
      stdout(cell, 'zoneinfo'),
      'present',
      `/usr/share/zoneinfo/${ZONE} does not exist: the image lacks tzdata, and cloud-init's timezone module fails without it (add tzdata to the image)`,
    );
  });

  it('/etc/timezone names the zone', () => {
    assert.equal(cell.file('/etc/timezone').trim(), ZONE);
  });

  it("/etc/localtime links to the zone's zoneinfo file", () => {
    const link = cell.command('localtime-link');
    assert.equal(link.exitCode, 0, '/etc/localtime is not a symbolic link (or is missing)');
    assert.equal(link.stdout.trim(), `/usr/share/zoneinfo/${ZONE}`);
  });

  it('systemd sees the zone', () => {
    assert.equal(stdout(cell, 'timedatectl'), ZONE);
  });

  it('date uses it: CET (+0100) in winter, CEST (+0200) in summer', () => {
    // 12:00 UTC on both dates.
    assert.equal(stdout(cell, 'date-winter'), 'CET +0100 13:00');
    assert.equal(stdout(cell, 'date-summer'), 'CEST +0200 14:00');
  });
});
