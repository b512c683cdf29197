import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

function stdout(cell: HarvestedCell, name: string): string {
  const output = cell.command(name);
  assert.equal(output.exitCode, 0, `"${name}" failed (exit ${output.exitCode}): ${output.stderr.trim()}`);
  return output.stdout.trim();
}

describeCase('hostname_prefer_fqdn', (cell) => {
  it('the fqdn is the system hostname', () => {
    assert.equal(stdout(cell, 'hostname'), 'app01.cloudproof.example');
    assert.equal(cell.file('/etc/hostname'), 'app01.cloudproof.example\n');
    assert.equal(stdout(cell, 'hostname-f'), 'app01.cloudproof.example');
  });

  it('/etc/hosts keeps the image lines and gains one 127.0.1.1 line, fqdn first', () => {
    const hosts = cell.file('/etc/hosts');
    const lines = hosts.split('\n').map((line) => line.trim().split(/\s+/).join(' ')).filter((line) => line !== '');
    assert.ok(lines.includes('127.0.0.1 localhost'), hosts);
    assert.deepEqual(lines.filter((line) => line.startsWith('127.0.1.1')), ['127.0.1.1 app01.cloudproof.example app01'], hosts);
    assert.doesNotMatch(hosts, /manage_etc_hosts/, 'the template was rendered, not the localhost mode');
  });

  it('both names resolve to 127.0.1.1', () => {
    assert.match(stdout(cell, 'resolve-fqdn'), /^127\.0\.1\.1\s+app01\.cloudproof\.example\b/);
    assert.match(stdout(cell, 'resolve-short'), /^127\.0\.1\.1\s+app01\.cloudproof\.example\s+app01$/);
  });
});
