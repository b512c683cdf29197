import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

const WRITTEN = 'Grüße, 日本語, Ελληνικά, emoji 🚀, decomposed e\u0301\n';
const RUNCMD = 'runcmd says Ünïcödé ✓ 中文\n';

describeCase('unicode_content', (cell) => {
  it('write_files wrote the UTF-8 bytes exactly, the decomposed é left decomposed', () => {
    const bytes = cell.fileBytes('/var/lib/cloudproof/unicode.txt');
    assert.deepEqual(bytes, Buffer.from(WRITTEN, 'utf8'), `got ${bytes.toString('hex')}`);
    assert.ok(bytes.includes(Buffer.from([0x65, 0xcc, 0x81])), 'e + U+0301 was normalised away');
    assert.ok(bytes.includes(Buffer.from([0xf0, 0x9f, 0x9a, 0x80])), 'the four-byte emoji is missing');
  });

  it('write_files created the file with a non-ASCII path', () => {
    const names = Buffer.from(cell.command('names-hex').stdout.trim(), 'hex').toString('utf8').split('\n');
    assert.ok(names.includes('naïve-файл.txt'), `directory holds: ${names.join(', ')}`);
    assert.equal(cell.command('non-ascii-path').stdout, 'a non-ASCII path\n');
  });

  it('runcmd carried the non-ASCII text through its script into the file', () => {
    assert.deepEqual(cell.fileBytes('/var/lib/cloudproof/unicode-runcmd.txt'), Buffer.from(RUNCMD, 'utf8'));
    assert.match(cell.command('runcmd-script').stdout, /^printf '%s\\n' 'runcmd says Ünïcödé ✓ 中文' > /m);
  });

  it('final_message reached the log unchanged', () => {
    assert.match(cell.log(), /cloudproof fin — ✓ 終$/m);
  });
});
