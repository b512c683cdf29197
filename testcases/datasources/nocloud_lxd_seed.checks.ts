import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

interface InstanceData {
  readonly ds: { readonly meta_data: Readonly<Record<string, string>> };
  readonly v1: Readonly<Record<string, unknown>>;
}

function instanceData(cell: HarvestedCell): InstanceData {
  return JSON.parse(cell.file('/run/cloud-init/instance-data.json')) as InstanceData;
}

/** "key: value" lines of the seed's meta-data. */
function seedMetaData(cell: HarvestedCell): Record<string, string> {
  return Object.fromEntries(
    cell
      .file('/var/lib/cloud/seed/nocloud-net/meta-data')
      .split('\n')
      .filter((line) => line.includes(':'))
      .map((line) => [line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim()] as const),
  );
}

describeCase('nocloud_lxd_seed', (cell) => {
  it('ds-identify found NoCloud from datasource_list alone, in a container, and enabled cloud-init', () => {
    const log = cell.file('/run/cloud-init/ds-identify.log');
    for (const line of ['DSLIST=NoCloud None', 'is_container=true', 'single entry in datasource_list (NoCloud None) use that.']) {
      assert.ok(log.split('\n').includes(line), `ds-identify.log lacks "${line}":\n${log}`);
    }
    assert.match(log, /returning 0$/m, log);
    assert.match(cell.file('/run/cloud-init/cloud.cfg'), /^datasource_list: \[ ?NoCloud, None ?\]$/m);
    assert.equal(cell.command('enabled').stdout.trim(), 'enabled');
  });

  it('the seed meta-data names the instance, and instance-data carries it unchanged', () => {
    const seed = seedMetaData(cell);
    assert.ok(seed['instance-id'], `seed meta-data: ${JSON.stringify(seed)}`);
    const data = instanceData(cell);
    assert.equal(data.v1.instance_id, seed['instance-id']);
    assert.equal(data.v1.local_hostname, seed['local-hostname']);
    assert.equal(data.ds.meta_data['instance-id'], seed['instance-id']);
    assert.equal(data.ds.meta_data.dsmode, 'net', 'the nocloud-net seed runs in net mode');
    assert.equal(cell.file('/var/lib/cloud/data/instance-id').trim(), seed['instance-id']);
  });

  it('names the seed folder as subplatform, and NoCloud in result.json and the instance', () => {
    const data = instanceData(cell);
    assert.equal(data.v1.subplatform, 'seed-dir (/var/lib/cloud/seed/nocloud-net)');
    const result = JSON.parse(cell.file('/run/cloud-init/result.json')) as { v1: { datasource: string } };
    // 22.4 adds "[dsmode=net]"; later releases leave it out
    assert.match(result.v1.datasource, /^DataSourceNoCloud \[seed=\/var\/lib\/cloud\/seed\/nocloud-net\](\[dsmode=net\])?$/, result.v1.datasource);
    assert.match(cell.file('/var/lib/cloud/instance/datasource'), /^DataSourceNoCloud: DataSourceNoCloud \[seed=\/var\/lib\/cloud\/seed\/nocloud-net\]/);
  });

  it('22.4 in LXD: platform lxd, cloud_name unknown, so cloud-id is "lxd"', () => {
    const data = instanceData(cell);
    assert.equal(data.v1.platform, 'lxd');
    assert.equal(data.v1.cloud_name, 'unknown');
    assert.equal(data.v1.cloud_id, 'lxd');
    assert.equal(cell.command('cloud-id').stdout.trim(), 'lxd');
    assert.equal(cell.command('cloud-id-long').stdout.trim().split(/\s+/).join(' '), 'lxd None');
    assert.equal(cell.command('cloud-id-link').stdout.trim(), '/run/cloud-init/cloud-id-lxd');
  });

  it('stores the seed user-data byte for byte; that is the case user-data (LXD drops one final newline)', () => {
    const seed = cell.file('/var/lib/cloud/seed/nocloud-net/user-data');
    assert.equal(cell.file('/var/lib/cloud/instance/user-data.txt'), seed);
    const given = cell.userData();
    assert.ok(seed === given || `${seed}\n` === given, `seed user-data differs from the case's:\n${seed}`);
    assert.match(seed, /final_message: cloudproof nocloud_lxd_seed done/);
  });
});
