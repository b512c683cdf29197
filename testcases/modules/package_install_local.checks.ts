import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

function stdout(cell: HarvestedCell, name: string): string {
  const output = cell.command(name);
  assert.equal(output.exitCode, 0, `"${name}" failed (exit ${output.exitCode}): ${output.stderr.trim()}`);
  return output.stdout.trim();
}

describeCase('package_install_local', (cell) => {
  it('dpkg has the package installed', () => {
    assert.equal(stdout(cell, 'dpkg-status'), 'cloudproof-hello 1.0 install ok installed');
  });

  it("the package's program runs", () => {
    assert.equal(stdout(cell, 'run'), 'hello from cloudproof-hello 1.0');
  });

  it('apt took it from the local file: source', () => {
    const policy = stdout(cell, 'policy');
    assert.match(policy, /Installed: 1\.0/, policy);
    assert.match(policy, /file:\/var\/lib\/cloudproof\/apt-repo \.\/ Packages/, policy);
  });

  it('apt-get update then install ran, through cloud-init, and no upgrade', () => {
    const log = cell.log();
    assert.match(log, /Running command \[.*'apt-get', .*'update'\]/, 'no apt-get update in cloud-init.log');
    assert.match(log, /Running command \[.*'apt-get', .*'install', 'cloudproof-hello'\]/, 'no apt-get install in cloud-init.log');
    assert.doesNotMatch(log, /'dist-upgrade'|'upgrade'/, 'an upgrade ran although package_upgrade is false');
    const history = stdout(cell, 'history');
    assert.match(history, /^Install: cloudproof-hello:amd64 \(1\.0\)$|^Install: cloudproof-hello:all \(1\.0\)$/m, history);
  });
});
