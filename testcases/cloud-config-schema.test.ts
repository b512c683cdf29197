import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cloudConfigValidator, isPlainCloudConfig } from './cloud-config-schema.js';

const SCHEMA = join(import.meta.dirname, '..', 'test', 'fixtures', 'tiny-cloud-config-schema.json');

describe("cloud-config against the schema of the cloud-init under test", () => {
  it('names an unknown key and a wrong type, with their place', async () => {
    const validate = await cloudConfigValidator(SCHEMA);
    assert.deepEqual(validate('#cloud-config\nwrite_files:\n  - path: /a\n    contnet: x\nruncmd: 5\n').sort(), ['runcmd: must be array', 'write_files.0: unknown key "contnet"']);
  });

  it('accepts valid cloud-config and an empty one', async () => {
    const validate = await cloudConfigValidator(SCHEMA);
    assert.deepEqual(validate('#cloud-config\nwrite_files: [{path: /a, content: x}]\n'), []);
    assert.deepEqual(validate('#cloud-config\n'), []);
    assert.deepEqual(validate('#cloud-config\nwrite_files: [{path: /a, content: !!binary aGk=}]\n'), [], 'bytes from !!binary count as a string, as in cloud-init');
  });

  it('leaves jinja templates and other formats to the instance', () => {
    assert.equal(isPlainCloudConfig('## template: jinja\n#cloud-config\n'), false);
    assert.equal(isPlainCloudConfig('#!/bin/sh\n'), false);
    assert.equal(isPlainCloudConfig('#cloud-config\nruncmd: []\n'), true);
  });
});
