import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

/** The tarball's entries, below its single top folder. */
function entries(cell: HarvestedCell): string[] {
  return cell.stdoutOf('listing').trim()
    .split('\n')
    .map((entry) => entry.slice(entry.indexOf('/') + 1))
    .filter(Boolean);
}

describeCase('collect_logs', (cell) => {
  it('exits 0 and says where it wrote the tarball', () => {
    const collect = cell.command('collect');
    assert.equal(collect.exitCode, 0, collect.stdout + collect.stderr);
    assert.match(collect.stdout + collect.stderr, /^Wrote \/tmp\/cloudproof-logs\.tar\.gz$/m, collect.stdout + collect.stderr);
  });

  it('puts everything under one cloud-init-logs-<date>/ folder', () => {
    const tops = new Set(cell.stdoutOf('listing').trim().split('\n').map((entry) => entry.split('/')[0]));
    assert.equal(tops.size, 1, [...tops].join(', '));
    assert.match([...tops][0] ?? '', /^cloud-init-logs-\d{4}-\d{2}-\d{2}$/);
  });

  it('holds both logs, the version files, the journal, dmesg and instance-data', () => {
    const names = entries(cell);
    const has = (pattern: RegExp): boolean => names.some((name) => pattern.test(name));
    for (const pattern of [/(^|\/)cloud-init\.log$/, /(^|\/)cloud-init-output\.log$/, /^version$/, /^dpkg-version$/, /^journal\.txt$/, /^dmesg\.txt$/, /^run\/cloud-init\/instance-data\.json$/]) {
      assert.ok(has(pattern), `no entry matches ${pattern}:\n${names.join('\n')}`);
    }
  });

  it('its cloud-init.log is this boot: one init-local run, with the final message', () => {
    assert.equal(cell.stdoutOf('log-boots').trim(), '1');
    assert.equal(cell.stdoutOf('log-marker').trim(), '1');
  });

  it('its version file names the cloud-init that ran', () => {
    const ran = cell.command('cloud-init-version').stdout.trim().split('\n').at(-1) ?? '';
    assert.equal(cell.stdoutOf('version-file').trim(), ran);
  });

  it('user-data: included with a warning from 24.3 on, left out without --include-userdata before', () => {
    const included = entries(cell).includes('var/lib/cloud/instance/user-data.txt');
    const collect = cell.command('collect');
    const warned = /Sensitive data may have been included in the collected logs/.test(collect.stdout + collect.stderr);
    const since243 = cell.cloudInitIs('>=24.3');
    assert.equal(included, since243, `user-data.txt ${included ? 'is' : 'is not'} in the tarball of ${cell.cloudInitVersion}`);
    assert.equal(warned, since243, `the sensitive-data warning ${warned ? 'was' : 'was not'} printed by ${cell.cloudInitVersion}`);
  });
});
