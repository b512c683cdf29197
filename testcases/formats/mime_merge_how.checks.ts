import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { describeCase } from '../api.js';

describeCase('mime_merge_how', (cell) => {
  it("runs both parts' runcmd entries, base first (list append)", () => {
    assert.equal(cell.file('/var/lib/cloudproof-merge.log'), 'runcmd from the base part\nruncmd from the override part\n');
  });

  it("writes both parts' files (write_files appended too)", () => {
    assert.equal(cell.file('/var/lib/cloudproof-merge-base.txt'), 'written by the base part\n');
    assert.equal(cell.file('/var/lib/cloudproof-merge-override.txt'), 'written by the override part\n');
  });

  it("keeps the base part's final_message (dict no_replace)", () => {
    assert.match(cell.log(), /final message from the base part$/m);
    assert.doesNotMatch(cell.log(), /final message from the override part/);
  });

  it('cloud-config.txt records the merged result from both parts, merge_how consumed', () => {
    const text = cell.file('/var/lib/cloud/instance/cloud-config.txt');
    assert.match(text, /^# base\.yaml\n# override\.yaml$/m, text);
    const merged = parse(text.slice(text.indexOf('\n---\n') + 5), { version: '1.1' }) as Record<string, unknown>;
    assert.deepEqual(merged, {
      final_message: 'final message from the base part',
      runcmd: ['echo "runcmd from the base part" >> /var/lib/cloudproof-merge.log', 'echo "runcmd from the override part" >> /var/lib/cloudproof-merge.log'],
      write_files: [
        { path: '/var/lib/cloudproof-merge-base.txt', content: 'written by the base part\n' },
        { path: '/var/lib/cloudproof-merge-override.txt', content: 'written by the override part\n' },
      ],
    });
  });
});
