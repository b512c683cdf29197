import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('package_install_local', (cell) => {
  it('dpkg has the package installed', () => {
    assert.equal(cell.stdoutOf('dpkg-status').trim(), 'cloudproof-hello 1.0 install ok installed');
  });

  it("the package's program runs", () => {
    assert.equal(cell.stdoutOf('run').trim(), 'hello from cloudproof-hello 1.0');
  });

  it('apt took it from the local file: source', () => {
    const policy = cell.stdoutOf('policy').trim();
    assert.match(policy, /Installed: 1\.0/, policy);
    assert.match(policy, /file:\/var\/lib\/cloudproof\/apt-repo \.\/ Packages/, policy);
  });

  it('apt-get update then install ran, through cloud-init, and no upgrade', () => {
    const log = cell.log();
    assert.match(log, /Running command \[.*'apt-get', .*'update'\]/, 'no apt-get update in cloud-init.log');
    assert.match(log, /Running command \[.*'apt-get', .*'install', 'cloudproof-hello'\]/, 'no apt-get install in cloud-init.log');
    assert.doesNotMatch(log, /'dist-upgrade'|'upgrade'/, 'an upgrade ran although package_upgrade is false');
    const history = cell.stdoutOf('history').trim();
    assert.match(history, /^Install: cloudproof-hello:amd64 \(1\.0\)$|^Install: cloudproof-hello:all \(1\.0\)$/m, history);
  });
});
