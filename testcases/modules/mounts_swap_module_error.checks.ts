import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('mounts_swap_module_error', (cell) => {
  it('creates a 16 MiB swap file, 0600 root:root, formatted as swap', () => {
    assert.equal(cell.stdoutOf('swapfile').trim(), '16777216 600 root:root');
    assert.equal(cell.stdoutOf('signature').trim(), 'SWAPSPACE2');
  });

  it('adds it to fstab', () => {
    assert.match(cell.file('/etc/fstab'), /^\/run\/cloudproof-swap\.img\s+none\s+swap\s+sw\S*\s+0\s+0$/m);
  });

  it('the container refuses swapon (EPERM) and no swap is active', () => {
    assert.match(cell.log(), /swapon: \/run\/cloudproof-swap\.img: swapon failed: Operation not permitted/);
    assert.equal(cell.stdoutOf('swapon').trim(), '', 'swap is active: this platform allows swap, this case does not apply');
  });

  it('status is error, naming the mounts module and the swapon', () => {
    const status = cell.status();
    assert.equal(status.status, 'error');
    const errors = (status.errors ?? []).join('\n');
    assert.match(errors, /^\('mounts', ProcessExecutionError\(.*Command: \['swapon', '-a'\]/, errors);
  });
});
