import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

const ZONE = 'Europe/Berlin';

describeCase('timezone', (cell) => {
  it('the image has the zone file (tzdata)', () => {
    assert.equal(
      cell.stdoutOf('zoneinfo').trim(),
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
    assert.equal(cell.stdoutOf('timedatectl').trim(), ZONE);
  });

  it('date uses it: CET (+0100) in winter, CEST (+0200) in summer', () => {
    // 12:00 UTC on both dates.
    assert.equal(cell.stdoutOf('date-winter').trim(), 'CET +0100 13:00');
    assert.equal(cell.stdoutOf('date-summer').trim(), 'CEST +0200 14:00');
  });
});
