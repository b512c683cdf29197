import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

/** The base64 body of the CA in ca_certs.yaml, without line breaks. */
const CA_BODY = [
  'MIIBuzCCAWGgAwIBAgIUCOpeD91byt07mOn9WX20yIg+8EUwCgYIKoZIzj0EAwIw',
  'MjEbMBkGA1UEAwwSY2xvdWRwcm9vZiB0ZXN0IENBMRMwEQYDVQQKDApjbG91ZHBy',
  'b29mMCAXDTI2MTEyODE0MjQxM1oYDzIxMjYxMTA0MTQyNDEzWjAyMRswGQYDVQQD',
  'DBJjbG91ZHByb29mIHRlc3QgQ0ExEzARBgNVBAoMCmNsb3VkcHJvb2YwWTATBgcq',
  'hkjOPQIBBggqhkjOPQMBBwNCAASLCIDmkki4GU6/1qaivLFkL9bAwH7E4b3d6aLv',
  'iIXUbpZFbS5DN7XVrylL2DBW7ZjbHaD1VLSCCohMQcr8Cvrao1MwUTAdBgNVHQ4E',
  'FgQUNU7PSl8iSMc2mzIh8xfld1M/6LcwHwYDVR0jBBgwFoAUNU7PSl8iSMc2mzIh',
  '8xfld1M/6LcwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAstIF',
  '6xyYZDKQtt7qUAyWeeOic6ahr8Afl++GTLckgMMCIFzBoFy2uxPNIaCtKDpG5mpq',
  'HNC9kSmxDSCgCKzQi82B',
].join('');

/** Where cloud-init puts trusted CAs on Debian: 22.4 and earlier, then 23.1 and later. */
const INSTALL_PATHS = ['/usr/share/ca-certificates/cloud-init-ca-certs.crt', '/usr/local/share/ca-certificates/cloud-init-ca-cert-1.crt'];

/** The base64 bodies of every certificate in a PEM bundle, line breaks removed. */
function pemBodies(bundle: string): string[] {
  return [...bundle.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((match) => (match[1] ?? '').replace(/\s+/g, ''));
}

function verify(cell: HarvestedCell, name: string): { ok: boolean; text: string } {
  const output = cell.command(name);
  return { ok: output.exitCode === 0 && /: OK$/m.test(output.stdout), text: `${output.stdout}${output.stderr}`.trim() };
}

describeCase('ca_certs', (cell) => {
  it("installs the CA where the distro's update-ca-certificates reads it", () => {
    const installed = cell.command('installed').stdout.trim().split('\n').filter(Boolean);
    assert.equal(installed.length, 1, `expected the CA in exactly one file under /usr/share or /usr/local/share/ca-certificates, found: ${installed.join(', ') || 'none'}`);
    const [path] = installed as [string];
    assert.ok(INSTALL_PATHS.includes(path), `the CA is in ${path}, not in one of ${INSTALL_PATHS.join(', ')}`);
    if (path.startsWith('/usr/share/')) {
      // Only certificates listed in /etc/ca-certificates.conf are taken from /usr/share.
      const conf = cell.file('/etc/ca-certificates.conf').split('\n');
      assert.ok(conf.includes('cloud-init-ca-certs.crt'), '/etc/ca-certificates.conf does not list cloud-init-ca-certs.crt');
    }
  });

  it('update-ca-certificates put the CA in the bundle, keeping the default CAs', () => {
    const bodies = pemBodies(cell.file('/etc/ssl/certs/ca-certificates.crt'));
    assert.equal(bodies.filter((body) => body === CA_BODY).length, 1, `the CA is not in /etc/ssl/certs/ca-certificates.crt exactly once (${bodies.length} certificates there)`);
    assert.ok(bodies.length > 100, `only ${bodies.length} certificates in the bundle: were the defaults removed?`);
  });

  it('the CA has its subject-hash link in /etc/ssl/certs', () => {
    const link = cell.command('hash-link');
    assert.equal(link.exitCode, 0, `/etc/ssl/certs/5ddec338.0 is missing or unreadable: ${link.stderr.trim()}`);
    // OpenSSL 3.0 (bookworm) prints "CN = ...", later versions (trixie) "CN=...".
    assert.match(link.stdout, /CN ?= ?cloudproof test CA/, `/etc/ssl/certs/5ddec338.0 is ${link.stdout.trim()}`);
  });

  it('openssl trusts a leaf the CA signed, through the hash directory and through the bundle', () => {
    const capath = verify(cell, 'verify-leaf-capath');
    assert.ok(capath.ok, `openssl verify -CApath /etc/ssl/certs:\n${capath.text}`);
    const bundle = verify(cell, 'verify-leaf-bundle');
    assert.ok(bundle.ok, `openssl verify -CAfile ca-certificates.crt:\n${bundle.text}`);
  });

  it('control: without a trust store the same leaf does not verify', () => {
    const untrusted = verify(cell, 'verify-leaf-untrusted');
    assert.ok(!untrusted.ok, `the leaf verified with no trust store at all, so the checks above prove nothing:\n${untrusted.text}`);
    assert.match(untrusted.text, /unable to get local issuer certificate/, untrusted.text);
  });
});
