import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('gzip_mime_part', (cell) => {
  it('applies write_files from the compressed part', () => {
    assert.equal(cell.file('/var/lib/cloudproof/from-gzip-part.txt'), 'decompressed from a gzip MIME part\n');
  });

  it('runs runcmd from the compressed part, once', () => {
    assert.equal(cell.file('/var/lib/cloudproof/gzip-runcmd.txt'), 'gzip-runcmd\n');
  });

  it('the merged cloud-config holds the decompressed text, under the part\'s file name', () => {
    const merged = cell.file('/var/lib/cloud/instance/cloud-config.txt');
    assert.match(merged, /^# compressed\.yaml\.gz$/m, merged);
    assert.match(merged, /echo gzip-runcmd >> \/var\/lib\/cloudproof\/gzip-runcmd\.txt/, merged);
  });
});
