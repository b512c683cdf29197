import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('mounts', (cell) => {
  it('adds exactly the two entries to fstab, tagged comment=cloudconfig', () => {
    const entries = cell.file('/etc/fstab').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
    assert.deepEqual(
      entries.map((line) => line.split(/\s+/).join(' ')),
      [
        'tmpfs /mnt/cloudproof-tmp tmpfs defaults,size=8m,mode=1777,comment=cloudconfig 0 0',
        '/srv/cloudproof-bind-src /mnt/cloudproof-bind none bind,comment=cloudconfig 0 0',
      ],
      cell.file('/etc/fstab'),
    );
  });

  it('mounts the tmpfs with its size limit and mode', () => {
    assert.match(cell.stdoutOf('findmnt').trim(), /^\/mnt\/cloudproof-tmp\s+tmpfs\s+/);
    assert.equal(cell.stdoutOf('tmp-size').trim(), '8192');
    assert.equal(cell.stdoutOf('tmp-mode').trim(), '1777');
  });

  it('mounts the bind mount, showing the source folder', () => {
    assert.equal(cell.stdoutOf('bind').trim(), '/mnt/cloudproof-bind');
    assert.equal(cell.file('/mnt/cloudproof-bind/marker.txt'), 'seen through the bind mount\n');
  });

  it('makes no swap', () => {
    assert.equal(cell.stdoutOf('swap').trim(), '');
  });
});
