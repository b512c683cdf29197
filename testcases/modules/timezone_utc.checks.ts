import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('timezone_utc', (cell) => {
  it('the image has the zone file (tzdata)', () => {
    assert.equal(cell.stdoutOf('zoneinfo').trim(), 'present', '/usr/share/zoneinfo/UTC is missing: the image lacks tzdata');
  });

  it('the machine was in another zone before the module ran (bootcmd set Asia/Tokyo)', () => {
    assert.equal(cell.file('/run/cloudproof/date.before').trim(), 'JST +0900 21:00');
  });

  it('/etc/timezone says UTC', () => {
    assert.equal(cell.file('/etc/timezone').trim(), 'UTC');
  });

  it('/etc/localtime links to the UTC zone file', () => {
    assert.equal(cell.stdoutOf('localtime-link').trim(), '/usr/share/zoneinfo/UTC');
  });

  it('date reports UTC +0000 (no summer time)', () => {
    assert.equal(cell.stdoutOf('date').trim(), 'UTC +0000 12:00');
  });
});
