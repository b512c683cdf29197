import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('write_files_yaml_binary', (cell) => {
  it('decompresses the !!binary gzip payload byte for byte', () => {
    assert.deepEqual(cell.fileBytes('/etc/cloudproof/enc/yaml-binary-gzip.bin'), Buffer.from([0x89, ...Buffer.from('PNG-like '), 0x00, 0xff]));
    assert.equal(cell.command('size').stdout.trim(), '12');
  });

  it("cloud-init's own schema accepts the bytes content", () => {
    const schema = cell.command('schema-system');
    assert.equal(schema.exitCode, 0, `cloud-init schema --system failed:\n${schema.stdout}${schema.stderr}`);
  });
});
