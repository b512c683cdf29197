import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

/** The last two lines a `single-*` command printed: its exit code and whether the file exists. */
function outcome(cell: HarvestedCell, name: string): string[] {
  return cell.command(name).stdout.trim().split('\n').slice(-2);
}

describeCase('single_module_rerun', (cell) => {
  it('the file was removed after the boot', () => {
    assert.equal(cell.command('remove').exitCode, 0, cell.command('remove').stderr);
  });

  it('without --frequency, single skips a module that already ran for this instance', () => {
    assert.deepEqual(outcome(cell, 'single-default'), ['exit=0', 'absent']);
    assert.match(cell.log(), /config-write_files already ran \(freq=once-per-instance\)/);
  });

  it('with --frequency always, single runs it again and writes the file back', () => {
    assert.deepEqual(outcome(cell, 'single-always'), ['exit=0', 'present']);
    assert.equal(cell.file('/var/lib/cloudproof/single.txt'), 'written by write_files\n');
    assert.equal(cell.command('mode').stdout.trim(), '640 root:root');
  });

  it('the log records both single runs', () => {
    assert.equal(cell.log().match(/running 'single' at /g)?.length, 2, 'expected two "running \'single\'" lines in cloud-init.log');
  });
});
