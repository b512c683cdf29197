import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('gh4195_locale_gen_debian', (cell) => {
  it('de_DE.utf8 is generated', () => {
    const locales = cell.command('locale-a').stdout.trim().split('\n');
    assert.ok(locales.includes('de_DE.utf8'), `locale -a lists only: ${locales.join(' ')} (canonical/cloud-init#4195: Debian's locale-gen ignored the locale it was given)`);
  });

  it('/etc/default/locale sets LANG=de_DE.UTF-8', () => {
    const conf = cell.file('/etc/default/locale');
    assert.match(conf, /^LANG=de_DE\.UTF-8$/m, `/etc/default/locale:\n${conf}`);
  });
});
