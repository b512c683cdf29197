import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { mergeCloudConfigs, plainCloudConfig, topLevelKeys } from './cloud-config.js';

describe('merging cloud-configs for a shared boot', () => {
  const config = (text: string) => {
    const parsed = plainCloudConfig(text);
    assert.ok(parsed, text);
    return parsed;
  };

  it('gives every top-level key of each, as YAML 1.1 reads them: 0644 stays octal, yes stays true', () => {
    const merged = mergeCloudConfigs([
      config('#cloud-config\nwrite_files:\n  - path: /a\n    permissions: 0644\n    content: a\n'),
      config('#cloud-config\n# a comment\nruncmd: [echo hi]\nmanage_etc_hosts: yes\n'),
    ]);
    assert.match(merged, /^#cloud-config\n/);
    assert.match(merged, /permissions: 0644/);
    assert.deepEqual(parse(merged, { version: '1.1' }), { write_files: [{ path: '/a', permissions: 0o644, content: 'a' }], runcmd: ['echo hi'], manage_etc_hosts: true });
  });

  it('reads the top-level keys, and takes only one plain cloud-config mapping', () => {
    assert.deepEqual(topLevelKeys(config('#cloud-config\nhostname: x\nruncmd: []\n')), ['hostname', 'runcmd']);
    assert.equal(plainCloudConfig('#cloud-config\n- a list\n'), undefined);
    assert.equal(plainCloudConfig('#cloud-config\nkey: [unclosed\n'), undefined);
    assert.equal(plainCloudConfig('#!/bin/sh\necho hi\n'), undefined);
    assert.equal(plainCloudConfig('Content-Type: multipart/mixed; boundary="x"\n'), undefined);
  });
});
