import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('mounts_swap', (cell) => {
  it('creates a 16 MiB swap file, 0600 root:root', () => {
    assert.equal(cell.stdoutOf('swapfile').trim(), '16777216 600 root:root');
  });

  it('formats it as swap (SWAPSPACE2 signature)', () => {
    assert.equal(cell.stdoutOf('signature').trim(), 'SWAPSPACE2');
  });

  it('adds it to fstab', () => {
    assert.match(cell.file('/etc/fstab'), /^\/run\/cloudproof-swap\.img\s+none\s+swap\s+sw,comment=cloudconfig\s+0\s+0$/m);
  });

  it('the container refuses swapon (EPERM), which is why the warnings are expected', () => {
    assert.match(cell.log(), /swapon: \/run\/cloudproof-swap\.img: swapon failed: Operation not permitted/);
    assert.equal(cell.stdoutOf('swapon').trim(), '', 'swap is active: this platform allows swap, drop the expected warnings');
  });

  it('mounts still ran mount -a after the swapon failure', () => {
    assert.match(cell.log(), /Activate mounts: PASS:mount -a/);
  });
});
