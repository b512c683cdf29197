import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

function stdout(cell: HarvestedCell, name: string): string {
  const output = cell.command(name);
  assert.equal(output.exitCode, 0, `"${name}" failed (exit ${output.exitCode}): ${output.stderr.trim()}`);
  return output.stdout;
}

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
  it('/etc/default/locale still sets LANG=en_US.UTF-8', () => {
    const conf = cell.file('/etc/default/locale');
    const lang = conf.split('\n').filter((line) => /^\s*LANG=/.test(line));
    assert.deepEqual(lang, ['LANG=en_US.UTF-8'], `/etc/default/locale:\n${conf}`);
  });

  it('en_US.UTF-8 is generated', () => {
    const locales = stdout(cell, 'locale-a').split('\n');
    assert.ok(locales.includes('en_US.utf8'), `locale -a lists: ${locales.join(' ')}`);
  });

  it('the locale is usable: UTF-8 charmap, no complaint from libc', () => {
    assert.equal(stdout(cell, 'charmap').trim(), 'UTF-8');
    const env = cell.command('locale-env');
    assert.equal(env.stderr, '', `locale complained with LANG=en_US.UTF-8:\n${env.stderr}`);
    assert.match(env.stdout, /^LC_CTYPE="en_US\.UTF-8"$/m, env.stdout);
  });

  it('cloud-init did not regenerate the locale the image already had', () => {
    const archiveMtime = Number(stdout(cell, 'archive-mtime').trim());
    const bootStart = initLocalStart(cell);
    assert.ok(bootStart !== undefined && Number.isFinite(archiveMtime), `unreadable times: archive ${archiveMtime}, init-local start ${bootStart}`);
    assert.ok(
      archiveMtime < bootStart,
      `locale-archive changed at ${new Date(archiveMtime * 1000).toISOString()}, after cloud-init started at ${new Date(bootStart * 1000).toISOString()}: locale-gen ran again`,
    );
  });
});
