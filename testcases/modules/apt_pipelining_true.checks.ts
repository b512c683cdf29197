import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('apt_pipelining_true', (cell) => {
  it('writes no pipelining snippet', () => {
    assert.equal(cell.command('snippet').stdout.trim(), 'absent');
  });

  it("leaves apt's pipeline depth unset", () => {
    const depth = cell.command('apt-config');
    assert.equal(depth.exitCode, 0, depth.stderr);
    assert.equal(depth.stdout.trim(), '', `apt has a pipeline depth: ${depth.stdout}`);
  });

  it('warns exactly once, although the schema accepts the value', () => {
    assert.equal(cell.log().match(/Invalid option for apt_pipelining: True/g)?.length, 1);
    assert.equal(cell.command('schema-system').exitCode, 0, 'schema --system rejects apt_pipelining: true now: the module and schema agree, rework this case');
  });
});
