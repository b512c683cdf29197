import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('hostname_prefer_fqdn', (cell) => {
  it('the fqdn is the system hostname', () => {
    assert.equal(cell.stdoutOf('hostname').trim(), 'app01.cloudproof.example');
    assert.equal(cell.file('/etc/hostname'), 'app01.cloudproof.example\n');
    assert.equal(cell.stdoutOf('hostname-f').trim(), 'app01.cloudproof.example');
  });

  it('/etc/hosts keeps the image lines and gains one 127.0.1.1 line, fqdn first', () => {
    const hosts = cell.file('/etc/hosts');
    const lines = hosts.split('\n').map((line) => line.trim().split(/\s+/).join(' ')).filter((line) => line !== '');
    assert.ok(lines.includes('127.0.0.1 localhost'), hosts);
    assert.deepEqual(lines.filter((line) => line.startsWith('127.0.1.1')), ['127.0.1.1 app01.cloudproof.example app01'], hosts);
    assert.doesNotMatch(hosts, /manage_etc_hosts/, 'the template was rendered, not the localhost mode');
  });

  it('both names resolve to 127.0.1.1', () => {
    assert.match(cell.stdoutOf('resolve-fqdn').trim(), /^127\.0\.1\.1\s+app01\.cloudproof\.example\b/);
    assert.match(cell.stdoutOf('resolve-short').trim(), /^127\.0\.1\.1\s+app01\.cloudproof\.example\s+app01$/);
  });
});
