import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execa } from 'execa';

const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'cases');

const harness = (...args: string[]) => execa('node', [HARNESS, ...args], { reject: false, env: { CI: 'true' } });

describe('harness CLI: bad input', () => {
  it('exits 2 with one line for an unknown platform', async () => {
    const result = await harness('run', '--platform', 'lxc');
    assert.equal(result.exitCode, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /unknown platform "lxc" \(did you mean "lxd"\?\).*valid platforms: fake, lxd/);
  });

  it('exits 2 with one line naming file, line and field for a malformed case', async () => {
    const result = await harness('run', '--platform', 'lxd', '--testcases', join(FIXTURES, 'broken'));
    assert.equal(result.exitCode, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /typo\.yaml:2: unknown field "tagz"/);
  });

  it('exits 2 with one line for user-data that is not YAML', async () => {
    const result = await harness('run', '--platform', 'lxd', '--testcases', join(FIXTURES, 'bad-user-data'));
    assert.equal(result.exitCode, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /bad\.yaml:\d+: user_data is not valid YAML/);
  });

  it('exits 2 for a flag that does not parse', async () => {
    const result = await harness('run', '--concurrency', 'many');
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /concurrency/);
  });
});
