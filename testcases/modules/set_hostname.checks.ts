import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

const HOSTNAME = 'web01';
const FQDN = 'web01.cloudproof.example';

/** The non-comment lines of /etc/hosts, split into address and names. */
function hostsEntries(hosts: string): { address: string; names: string[] }[] {
  return hosts
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [address = '', ...names] = line.split(/\s+/);
      return { address, names };
    });
}

describeCase('set_hostname', (cell) => {
  it('the running hostname is the short name from user-data, not the platform name', () => {
    assert.equal(cell.stdoutOf('hostname').trim(), HOSTNAME);
  });

  it('/etc/hostname holds the short name', () => {
    assert.equal(cell.file('/etc/hostname').trim(), HOSTNAME, `/etc/hostname: ${JSON.stringify(cell.file('/etc/hostname'))}`);
  });

  it('hostname -f gives the fqdn', () => {
    assert.equal(cell.stdoutOf('hostname-f').trim(), FQDN);
  });

  it('manage_etc_hosts maps 127.0.1.1 to the fqdn, then the short name', () => {
    const hosts = cell.file('/etc/hosts');
    assert.match(hosts, /manage_etc_hosts/, `/etc/hosts is not the one cloud-init renders:\n${hosts}`);
    const entries = hostsEntries(hosts);
    const own = entries.filter((entry) => entry.names.includes(HOSTNAME) || entry.names.includes(FQDN));
    assert.deepEqual(own, [{ address: '127.0.1.1', names: [FQDN, HOSTNAME] }], `/etc/hosts:\n${hosts}`);
    assert.ok(entries.some((entry) => entry.address === '127.0.0.1' && entry.names.includes('localhost')), `localhost is gone from /etc/hosts:\n${hosts}`);
  });

  it('both names resolve through NSS', () => {
    assert.match(cell.stdoutOf('resolve-fqdn').trim(), new RegExp(`^127\\.0\\.1\\.1\\s+${FQDN.replace(/\./g, '\\.')}\\b`));
    assert.match(cell.stdoutOf('resolve-short').trim(), /^127\.0\.1\.1\s/);
  });
});
