import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

interface StageResult {
  readonly errors: readonly unknown[];
  readonly start: number | null;
  readonly finished: number | null;
}

interface StatusJson {
  readonly v1: { readonly datasource: string | null; readonly stage: string | null } & Readonly<Record<string, StageResult | string | null>>;
}

interface ResultJson {
  readonly v1: { readonly datasource: string | null; readonly errors: readonly unknown[] };
}

interface InstanceData {
  readonly v1: { readonly instance_id: string; readonly local_hostname: string };
}

const STAGES = ['init-local', 'init', 'modules-config', 'modules-final'] as const;

describeCase('clean_boot', (cell) => {
  it('reports status done with no errors', () => {
    const status = cell.status();
    assert.equal(status.status, 'done', `cloud-init status is ${status.status}: ${JSON.stringify(status.errors)}`);
    assert.deepEqual(status.errors ?? [], [], 'cloud-init status lists errors');
  });

  it('result.json has no errors and names the NoCloud datasource', () => {
    const result = JSON.parse(cell.file('/run/cloud-init/result.json')) as ResultJson;
    assert.deepEqual(result.v1.errors, [], `result.json lists errors: ${JSON.stringify(result.v1.errors)}`);
    assert.match(result.v1.datasource ?? '', /^DataSourceNoCloud\b/, `result.json names datasource ${result.v1.datasource}`);
  });

  it('status.json: every stage ran and finished without errors, stage is idle', () => {
    const status = JSON.parse(cell.file('/run/cloud-init/status.json')) as StatusJson;
    assert.match(status.v1.datasource ?? '', /^DataSourceNoCloud\b/, `status.json names datasource ${status.v1.datasource}`);
    assert.equal(status.v1.stage, null, `status.json says stage ${status.v1.stage} is still running`);
    for (const stage of STAGES) {
      const result = status.v1[stage] as StageResult | undefined;
      assert.ok(result, `status.json has no entry for stage ${stage}`);
      assert.ok(result.start !== null && result.finished !== null, `stage ${stage} did not run to the end: ${JSON.stringify(result)}`);
      assert.ok(result.finished >= result.start, `stage ${stage} finished before it started: ${JSON.stringify(result)}`);
      assert.deepEqual(result.errors, [], `stage ${stage} has errors: ${JSON.stringify(result.errors)}`);
    }
  });

  it('the instance-id is the hostname, as the platform seeded it', () => {
    const data = JSON.parse(cell.file('/run/cloud-init/instance-data.json')) as InstanceData;
    const instanceId = data.v1.instance_id;
    assert.ok(instanceId, 'instance-data.json has no instance_id');
    assert.equal(cell.file('/var/lib/cloud/data/instance-id').trim(), instanceId, 'the cached instance-id differs from instance-data.json');
    assert.equal(data.v1.local_hostname, instanceId, `meta-data local-hostname ${data.v1.local_hostname} is not the instance-id ${instanceId}`);
    const hostname = cell.command('hostname');
    assert.equal(hostname.exitCode, 0, `hostname failed: ${hostname.stderr}`);
    assert.equal(hostname.stdout.trim(), instanceId, `hostname is ${hostname.stdout.trim()}, instance-id is ${instanceId}`);
    assert.equal(cell.file('/etc/hostname').trim(), instanceId, `/etc/hostname holds ${JSON.stringify(cell.file('/etc/hostname'))}`);
  });

  it('all four cloud-init units succeeded', () => {
    const shown = cell.command('units').stdout.trim().split('\n');
    // The YAML asks for both names of the network stage's unit; one of them does not exist.
    const units = shown.filter((line) => /\bLoadState=loaded\b/.test(line));
    assert.equal(units.length, 4, `expected 4 loaded units, got:\n${shown.join('\n')}`);
    for (const line of units) {
      assert.match(line, /ActiveState=active\b/, `unit not active: ${line}`);
      assert.match(line, /Result=success\b/, `unit did not succeed: ${line}`);
    }
  });
});
