import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

const lines = (text: string): string[] => text.split('\n').map((line) => line.trim()).filter(Boolean);

describeCase('image_proof', (cell) => {
  it('ships no SSH host keys', () => {
    const keys = lines(cell.file('/run/cloudproof-proof/host-keys'));
    assert.deepEqual(keys, [], `the image ships SSH host keys, so every instance shares them: ${keys.join(', ')}`);
  });

  it('ships no machine-id', () => {
    const [machineId, init] = cell.file('/run/cloudproof-proof/machine-id-age').trim().split(' ').map(Number) as [number, number];
    assert.ok(machineId >= init, `the image ships /etc/machine-id (written ${init - machineId} s before this boot), so every instance shares it`);
  });

  it('ships no cloud-init instance data or logs from its build', () => {
    const instances = lines(cell.command('instances').stdout);
    const thisInstance = cell.command('instance-id').stdout.trim();
    const stale = instances.filter((instance) => instance !== thisInstance);
    const initLocalRuns = Number(cell.command('init-local-runs').stdout.trim());
    const findings = [
      stale.length > 0 ? `instance data of ${stale.join(', ')} in /var/lib/cloud/instances` : '',
      initLocalRuns > 1 ? `cloud-init.log holds ${initLocalRuns - 1} boot(s) before this one` : '',
    ].filter(Boolean);
    assert.deepEqual(findings, [], `the image was not cleaned (cloud-init clean --logs): ${findings.join('; ')}`);
  });

  it('has no password for root, and no empty one', () => {
    const root = cell.command('root-password');
    assert.equal(root.exitCode, 0, `getent shadow root failed: ${root.stderr}`);
    const field = root.stdout.trim();
    // An empty field is worse than a hash: it lets anyone log in as root with no password.
    assert.notEqual(field, '', 'root has an empty password field in /etc/shadow: anyone may log in as root without a password; lock it (passwd -l root or "*")');
    assert.match(field, /^[*!]/, `root has a password hash in /etc/shadow (${field.slice(0, 3)}…)`);
  });

  it('ships no shell history', () => {
    const files = lines(cell.command('shell-history').stdout);
    assert.deepEqual(files, [], `shell history left in the image: ${files.join(', ')}`);
  });

  it('ships no package caches', () => {
    const files = lines(cell.command('package-caches').stdout);
    assert.deepEqual(files, [], `package caches left in the image: ${files.join(', ')}`);
  });

  it("lists only datasources that fit the platform, and used one of them", () => {
    const allowed = cell.fact('datasources').split(',');
    const configured = cell.command('datasource-list').stdout;
    const listed = (/\[([^\]]*)\]/.exec(configured)?.[1] ?? '').split(',').map((name) => name.trim()).filter(Boolean);
    assert.ok(listed.length > 0, `the image keeps cloud-init's default datasource list (probing every cloud on each boot): set datasource_list in /etc/cloud/cloud.cfg.d/`);
    const foreign = listed.filter((name) => !allowed.includes(name));
    assert.deepEqual(foreign, [], `datasource_list names datasources the platform does not have: ${foreign.join(', ')} (allowed: ${allowed.join(', ')})`);
    const used = cell.command('datasource').stdout.trim();
    assert.ok(allowed.some((name) => name.toLowerCase() === used.toLowerCase()), `cloud-init used the ${used} datasource, not one of ${allowed.join(', ')}`);
  });
});
