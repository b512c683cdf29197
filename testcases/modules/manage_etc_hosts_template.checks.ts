import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('manage_etc_hosts_template', (cell) => {
  it('/etc/hosts is the replacement template, rendered', () => {
    assert.equal(
      cell.file('/etc/hosts'),
      [
        "# written by cloudproof's template",
        '127.0.0.1 localhost',
        '127.0.1.1 cphost.cloudproof.test cphost cloudproof-alias',
        '::1 localhost ip6-localhost ip6-loopback',
        '',
      ].join('\n'),
    );
  });

  it('the resolver answers 127.0.1.1 for the fqdn, the hostname and the alias', () => {
    const resolve = cell.command('resolve');
    assert.equal(resolve.exitCode, 0, resolve.stderr);
    const lines = resolve.stdout.trim().split('\n').map((line) => line.split(/\s+/));
    assert.equal(lines.length, 3, resolve.stdout);
    for (const [address, ...names] of lines) {
      assert.equal(address, '127.0.1.1', resolve.stdout);
      assert.deepEqual(names, ['cphost.cloudproof.test', 'cphost', 'cloudproof-alias'], resolve.stdout);
    }
  });
});
