import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('datasource_none_fallback', (cell) => {
  it('every stage of the re-run exits 0', () => {
    assert.deepEqual(cell.stdoutOf('rerun').trim().split('\n'), ['init --local: 0', 'init: 0', 'modules --mode config: 0', 'modules --mode final: 0']);
  });

  it('the first boot used NoCloud, under another instance-id', () => {
    assert.notEqual(cell.stdoutOf('first-boot-instance-id').trim(), 'iid-datasource-none');
    assert.match(cell.file('/var/lib/cloudproof-none.runs'), /^runcmd ran for (?!iid-datasource-none)\S+$/m);
  });

  it('instance-data and result.json name DataSourceNone, with the fixed instance-id', () => {
    const data = JSON.parse(cell.file('/run/cloud-init/instance-data.json')) as { v1: Record<string, unknown> };
    assert.equal(data.v1.instance_id, 'iid-datasource-none');
    assert.equal(data.v1.cloud_name, 'none');
    assert.equal(data.v1.platform, 'none');
    const result = JSON.parse(cell.file('/run/cloud-init/result.json')) as { v1: { datasource: string; errors: unknown[] } };
    assert.deepEqual(result.v1, { datasource: 'DataSourceNone', errors: [] });
    assert.equal(cell.file('/var/lib/cloud/data/instance-id').trim(), 'iid-datasource-none');
    assert.match(cell.file('/var/lib/cloud/instance/datasource'), /^DataSourceNone: DataSourceNone/);
  });

  it('status, cloud-id and query agree: done, none, iid-datasource-none', () => {
    const status = cell.stdoutOf('status-after').trim();
    assert.match(status, /^status: done$/m, status);
    assert.match(status, /DataSourceNone/, status);
    assert.equal(cell.stdoutOf('cloud-id').trim(), 'none');
    assert.equal(cell.stdoutOf('query-instance-id').trim(), 'iid-datasource-none');
  });

  it("the NoCloud user-data was not applied again (None has no user-data)", () => {
    const runs = cell.file('/var/lib/cloudproof-none.runs').trim().split('\n');
    assert.equal(runs.length, 1, runs.join('\n'));
  });

  // final_message warns "Used fallback datasource" for any None boot before 24.2, and from
  // 24.2 on only when None was not the datasource_list's only entry (as here).
  it('the re-run log is the fallback one, with the WARNING only before 24.2', () => {
    assert.match(cell.log(), /Loaded datasource DataSourceNone - DataSourceNone/);
    const warned = /cc_final_message\.py\[WARNING\]: Used fallback datasource/.test(cell.log());
    assert.equal(warned, cell.cloudInitIs('<24.2'), `"Used fallback datasource" ${warned ? 'logged' : 'not logged'} by ${cell.cloudInitVersion}`);
  });

  it('`cloud-init schema --system` passes, or fails only because None gave no cloud-config', () => {
    const schema = cell.command('schema-system');
    if (schema.exitCode !== 0) assert.match(schema.stdout + schema.stderr, /File None needs to begin with "#cloud-config"/, schema.stdout + schema.stderr);
  });
});
