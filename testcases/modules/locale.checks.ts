import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

/**
 * When cloud-init's first stage started, in seconds since the epoch, from its log line
 * "Cloud-init v. X running 'init-local' at <date>. Up N seconds." (status.json's start is
 * epoch seconds in 22.4 but seconds of uptime in 25.1; the log line reads the same in both).
 */
function initLocalStart(cell: HarvestedCell): number | undefined {
  const date = /running 'init-local' at ([^.]+)\. Up /.exec(cell.log())?.[1];
  const millis = date === undefined ? Number.NaN : Date.parse(date);
  return Number.isNaN(millis) ? undefined : millis / 1000;
}

describeCase('locale', (cell) => {
  it('the image was set to another locale before the module ran, so the change is evidence', () => {
    const before = cell.file('/run/cloudproof/locale.before');
    assert.doesNotMatch(before, /^LANG=C\.UTF-8$/m, `the image already sets C.UTF-8, so this case proves nothing on it:\n${before}`);
  });

  it('/etc/default/locale now sets LANG=C.UTF-8, and nothing else', () => {
    const conf = cell.file('/etc/default/locale');
    const settings = conf.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
    assert.deepEqual(settings, ['LANG=C.UTF-8'], `/etc/default/locale:\n${conf}`);
  });

  it('a login shell gets LANG=C.UTF-8 with a UTF-8 charmap', () => {
    assert.equal(cell.stdoutOf('login-lang').trim(), 'C.UTF-8');
    assert.equal(cell.stdoutOf('login-charmap').trim(), 'UTF-8');
  });

  it("keeps the image's en_US.UTF-8 compiled", () => {
    const locales = cell.stdoutOf('locale-a').split('\n');
    assert.ok(locales.includes('en_US.utf8'), `locale -a lists: ${locales.join(' ')}`);
  });

  it('did not run locale-gen for a locale that needs no generation', () => {
    const archiveMtime = Number(cell.stdoutOf('archive-mtime').trim());
    const bootStart = initLocalStart(cell);
    assert.ok(bootStart !== undefined && Number.isFinite(archiveMtime), `unreadable times: archive ${archiveMtime}, init-local start ${bootStart}`);
    assert.ok(
      archiveMtime < bootStart,
      `locale-archive changed at ${new Date(archiveMtime * 1000).toISOString()}, after cloud-init started at ${new Date(bootStart * 1000).toISOString()}: locale-gen ran`,
    );
  });
});
