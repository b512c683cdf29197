import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('mime_multipart', (cell) => {
  it('runs B\'s runcmd (replacing A\'s), then C\'s (appended), then the script part once', () => {
    assert.deepEqual(cell.file('/var/lib/cloudproof-mime.log').trimEnd().split('\n'), [
      'runcmd from part B',
      'runcmd from part C',
      'script part ran as /var/lib/cloud/instance/scripts/script.sh with 0 args',
    ]);
  });

  it("keeps part A's keys that no later part repeats", () => {
    assert.equal(cell.file('/var/lib/cloudproof-part-a.txt'), 'written by part A\n');
  });

  it("part B's final_message replaces part A's", () => {
    const output = cell.outputLog();
    assert.match(output, /^final message from part B$/m);
    assert.doesNotMatch(output, /final message from part A/);
  });

  it('records the three parts and the merged config in cloud-config.txt', () => {
    const merged = cell.file('/var/lib/cloud/instance/cloud-config.txt');
    assert.match(merged, /^# from 3 files\n# part-a\.yaml\n# part-b\.yaml\n# part-c\.yaml$/m, merged);
    assert.match(merged, /^final_message: final message from part B$/m, merged);
  });

  it('stores the script part under its own file name', () => {
    assert.deepEqual(cell.command('scripts').stdout.trim().split('\n').sort(), ['runcmd', 'script.sh']);
  });
});
