import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describeCase, type HarvestedCell } from '../api.js';

const DIR = '/etc/cloudproof/enc';

/** "<path> <size>" lines of the `sizes` command, by file name. */
function sizes(cell: HarvestedCell): Map<string, number> {
  const output = cell.command('sizes');
  assert.equal(output.exitCode, 0, `stat failed: ${output.stderr}`);
  return new Map(
    output.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [path, size] = line.split(' ');
        return [(path ?? '').replace(`${DIR}/`, ''), Number(size)] as const;
      }),
  );
}

describeCase('write_files_encodings', (cell) => {
  it('gz+b64 and gzip+base64 both decompress to the original text', () => {
    const expected = 'gzip text for write_files\nsecond line\n';
    assert.equal(cell.file(`${DIR}/gz-b64.txt`), expected);
    assert.equal(cell.file(`${DIR}/gzip-base64.txt`), expected);
  });

  it('base64 (long spelling) decodes like b64', () => {
    assert.equal(cell.file(`${DIR}/base64.txt`), 'decoded from base64 (the "base64" spelling)\n');
  });

  it('b64 content that is not UTF-8 is written byte for byte', () => {
    const bytes = cell.fileBytes(`${DIR}/binary.bin`);
    assert.deepEqual([...bytes], [0x00, 0x01, 0x02, 0xff, 0xfe, ...Buffer.from(' binary\n')]);
    const inInstance = cell.command('sha256').stdout;
    assert.match(inInstance, new RegExp(`^${createHash('sha256').update(bytes).digest('hex')}  binary\\.bin$`, 'm'), inInstance);
  });

  it('text/plain is written as given, nothing expanded', () => {
    assert.equal(cell.file(`${DIR}/text-plain.txt`), 'plain text, $HOME and \\n stay literal\n');
  });

  it('an entry without content makes an empty file', () => {
    assert.equal(sizes(cell).get('empty.txt'), 0, 'empty.txt is missing or not empty');
  });
});
