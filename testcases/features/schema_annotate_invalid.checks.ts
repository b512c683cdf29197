import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

const ENUM_ERROR = "'rot13' is not one of ['gz', 'gzip', 'gz+base64', 'gzip+base64', 'gz+b64', 'gzip+b64', 'b64', 'base64', 'text/plain']";

describeCase('schema_annotate_invalid', (cell) => {
  it('the module still wrote the content, as plain text', () => {
    assert.equal(cell.file('/var/lib/cloudproof/rot13.txt'), 'plain text really\n');
  });

  it('cloud-init warned, once, that the cloud-config is invalid', () => {
    const warnings = cell.log().match(/schema\.py\[WARNING\]: (Invalid cloud-config provided|cloud-config failed schema validation)/g) ?? [];
    assert.equal(warnings.length, 1, `schema warnings in cloud-init.log: ${warnings.length}`);
  });

  it('`schema --system` exits 1 and names write_files.0.encoding', () => {
    const schema = cell.command('schema-system');
    assert.equal(schema.exitCode, 1, schema.stdout + schema.stderr);
    assert.ok((schema.stdout + schema.stderr).includes(`write_files.0.encoding: ${ENUM_ERROR}`), schema.stdout + schema.stderr);
  });

  it('`schema --system --annotate` marks the encoding line E1 and explains E1 in the footer', () => {
    const annotate = cell.command('annotate');
    assert.equal(annotate.exitCode, 1, annotate.stdout + annotate.stderr);
    assert.doesNotMatch(annotate.stderr, /Traceback/, annotate.stderr);
    assert.match(annotate.stdout, /^\s+encoding: rot13\t\t# E1$/m, annotate.stdout);
    assert.match(annotate.stdout, /^# Errors: -------------$/m, annotate.stdout);
    assert.ok(annotate.stdout.includes(`# E1: ${ENUM_ERROR}`), annotate.stdout);
  });
});
