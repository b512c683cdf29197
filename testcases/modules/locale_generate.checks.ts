import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('locale_generate', (cell) => {
  it('/etc/default/locale sets LANG=de_DE.UTF-8', () => {
    const conf = cell.file('/etc/default/locale');
    const lang = conf.split('\n').filter((line) => /^\s*LANG=/.test(line));
    assert.deepEqual(lang, ['LANG=de_DE.UTF-8'], `/etc/default/locale:\n${conf}`);
  });

  it('de_DE.utf8 is generated and en_US.utf8 kept', () => {
    const locales = cell.stdoutOf('locale-a').trim().split('\n');
    assert.ok(locales.includes('de_DE.utf8'), `locale -a: ${locales.join(' ')}`);
    assert.ok(locales.includes('en_US.utf8'), `locale -a: ${locales.join(' ')}`);
  });

  it('the locale works: German names, UTF-8, no complaint from libc', () => {
    assert.equal(cell.stdoutOf('date-de').trim(), 'März Freitag');
    assert.equal(cell.stdoutOf('charmap').trim(), 'UTF-8');
    const env = cell.command('locale-env');
    assert.equal(env.stderr, '', `locale complained:\n${env.stderr}`);
  });

  it('the locale module generated it (not the image)', () => {
    assert.match(cell.log(), /Generating locales for de_DE\.UTF-8/);
    assert.match(cell.log(), /Running command \['update-locale', '--locale-file=\/etc\/default\/locale', 'LANG=de_DE\.UTF-8'\]/);
  });
});
