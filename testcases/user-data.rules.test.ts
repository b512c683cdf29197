import assert from 'node:assert/strict';
import { checkUserData } from './user-data.js';

/** What the host refuses of user-data before launching anything, and what it leaves to the instance. */
describe('user-data checked on the host', () => {
  it('accepts every format header cloud-init knows', () => {
    for (const header of ['#cloud-config', '#!/bin/sh', '## template: jinja', '#cloud-boothook', '#part-handler', '#include', '#cloud-config-archive', 'Content-Type: multipart/mixed', 'MIME-Version: 1.0']) {
      assert.equal(checkUserData(`${header}\n`), undefined, header);
    }
  });

  it('refuses an unknown header, quoting at most 40 characters of it', () => {
    const problem = checkUserData(`#cloud-conf${'x'.repeat(60)}\nruncmd: []\n`);
    assert.equal(problem?.startsWith(`starts with "#cloud-conf${'x'.repeat(29)}", which cloud-init does not recognise`), true, problem);
    assert.match(checkUserData('') ?? '', /^starts with "", which/);
  });

  it('refuses cloud-config that is not YAML, with the line of the cloud-config', () => {
    assert.match(checkUserData('#cloud-config\nruncmd:\n  - [unclosed\n') ?? '', /^is not valid YAML \(line 4 of the cloud-config\): /);
    assert.match(checkUserData('#cloud-config\nruncmd: [\n') ?? '', /^is not valid YAML \(line 3 of the cloud-config\): [^\n]+$/);
  });

  it('checks cloud-config whose header line goes on, and leaves an archive whose header line goes on unparsed', () => {
    assert.equal(checkUserData('#cloud-config # with a comment\n- a\n'), 'must be a YAML mapping (key: value) after #cloud-config');
    assert.equal(checkUserData('#cloud-config-archive # with a comment\n- [unclosed\n'), undefined);
  });

  it('counts the line of a YAML error from the top of the user-data', () => {
    assert.match(checkUserData('#cloud-config\na: b: c\nfine: 1\nmore: 2\n') ?? '', /^is not valid YAML \(line 2 of the cloud-config\)/);
  });

  it('refuses cloud-config that is a list or a scalar, and accepts an empty one', () => {
    assert.equal(checkUserData('#cloud-config\n- a\n'), 'must be a YAML mapping (key: value) after #cloud-config');
    assert.equal(checkUserData('#cloud-config\njust text\n'), 'must be a YAML mapping (key: value) after #cloud-config');
    assert.equal(checkUserData('#cloud-config\n'), undefined);
    assert.equal(checkUserData('#cloud-config\nruncmd: [ls]\n'), undefined);
  });

  it('reads cloud-config as YAML 1.1 allows, duplicate keys included, and leaves other formats unparsed', () => {
    assert.equal(checkUserData('#cloud-config\na: 1\na: 2\n'), undefined);
    assert.equal(checkUserData('#!/bin/sh\n: [unclosed\n'), undefined);
    assert.equal(checkUserData('#cloud-config-archive\n- [unclosed\n'), undefined);
  });
});
