import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { UsageError } from '../../core/errors.js';
import { labelConfig, labelsOf } from './labels.js';
import { SEED_CONFIG, SEED_IDENTITY, SEED_TEMPLATE_FILES, SEED_TEMPLATES, seedConfig } from './seed-templates.js';

describe('LXD seed templates', () => {
  it('has a file for every template metadata.yaml names', () => {
    for (const entry of Object.values(SEED_TEMPLATES)) assert.ok(SEED_TEMPLATE_FILES[entry.template] !== undefined, entry.template);
  });

  it('renders every launch-given part only when its key is set, with the newline LXD trims put back', () => {
    for (const [file, key] of [
      ['cloud-init-user.tpl', SEED_CONFIG.userData],
      ['cloud-init-vendor.tpl', SEED_CONFIG.vendorData],
      ['cloud-init-network.tpl', SEED_CONFIG.networkConfig],
    ] as const) {
      assert.equal(SEED_TEMPLATE_FILES[file], `{% if config_get("${key}", "") %}{{ config_get("${key}", "") }}\n{% endif %}`);
    }
    assert.equal(
      SEED_TEMPLATE_FILES['cloud-init-meta.tpl'],
      'instance-id: {{ container.name }}\nlocal-hostname: {{ container.name }}\n{% if config_get("user.meta-data", "") %}{{ config_get("user.meta-data", "") }}\n{% endif %}',
    );
  });

  it('has an identity that is a sha256', () => {
    assert.match(SEED_IDENTITY, /^[0-9a-f]{64}$/);
  });
});

describe('seedConfig', () => {
  it('sets only user-data when the launch gives nothing else', () => {
    assert.deepEqual(seedConfig({ userData: '#cloud-config\n{}\n' }), { 'cloud-init.user-data': '#cloud-config\n{}\n' });
  });

  it('sets vendor-data, network-config and meta-data keys as given', () => {
    const config = seedConfig({
      userData: 'u',
      vendorData: '#cloud-config\nbootcmd: [true]\n',
      networkConfig: 'version: 1\nconfig: []\n',
      metaData: { cloudproof_probe: 'probe-1', nested: { list: [1, 'two'] }, text: 'line one\nline two\n' },
    });
    assert.equal(config['cloud-init.vendor-data'], '#cloud-config\nbootcmd: [true]\n');
    assert.equal(config['cloud-init.network-config'], 'version: 1\nconfig: []\n');
    // Appended to the template's own two lines, it must stay top-level keys of one document.
    const metaData = parse(`instance-id: cp-1\nlocal-hostname: cp-1\n${config['user.meta-data']}`) as unknown;
    assert.deepEqual(metaData, {
      'instance-id': 'cp-1',
      'local-hostname': 'cp-1',
      cloudproof_probe: 'probe-1',
      nested: { list: [1, 'two'] },
      text: 'line one\nline two\n',
    });
  });

  it("keeps the platform's instance-id and local-hostname: a launch's keys of those names are dropped", () => {
    assert.deepEqual(seedConfig({ userData: 'u', metaData: { 'instance-id': 'mine', 'local-hostname': 'mine' } }), { 'cloud-init.user-data': 'u' });
    const config = seedConfig({ userData: 'u', metaData: { 'instance-id': 'mine', extra: 1 } });
    assert.deepEqual(parse(config['user.meta-data'] ?? ''), { extra: 1 });
  });
});

describe('LXD labels', () => {
  it('are user.<label> config keys, both ways', () => {
    const config = labelConfig({ 'cloudproof.run': 'r1', 'cloudproof.case': 'c' });
    assert.deepEqual(config, { 'user.cloudproof.run': 'r1', 'user.cloudproof.case': 'c' });
    assert.deepEqual(labelsOf({ ...config, 'limits.cpu': '1', 'cloud-init.user-data': 'x' }), { 'cloudproof.run': 'r1', 'cloudproof.case': 'c' });
  });

  it("never reads LXD's cloud-init keys under user. as labels", () => {
    const labels = labelsOf({ 'user.meta-data': 'a: 1', 'user.user-data': 'x', 'user.vendor-data': 'y', 'user.network-config': 'z', 'user.cloudproof.run': 'r' });
    assert.deepEqual(labels, { 'cloudproof.run': 'r' });
  });

  it('refuses a label that would overwrite cloud-init data', () => {
    assert.throws(() => labelConfig({ 'meta-data': 'x' }), UsageError);
  });
});
