import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('cloud_config_archive', (cell) => {
  it('applies the cloud-config part', () => {
    assert.equal(cell.file('/var/lib/cloudproof/archive-config.txt'), 'from the cloud-config part of an archive\n');
  });

  it('runs both script parts once, the untyped one found by its #! header', () => {
    assert.deepEqual(cell.file('/var/lib/cloudproof/archive-scripts.log').trimEnd().split('\n').sort(), [
      'archive script ran as /var/lib/cloud/instance/scripts/archive-script.sh',
      'untyped part ran as /var/lib/cloud/instance/scripts/part-003',
    ]);
  });

  it('stores the scripts executable, named as the archive says or part-NNN', () => {
    assert.deepEqual(cell.command('scripts').stdout.trim().split('\n').sort(), ['archive-script.sh 700', 'part-003 700']);
  });
});
