import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('apt_pipelining', (cell) => {
  it('writes the pipelining snippet', () => {
    const conf = cell.file('/etc/apt/apt.conf.d/90cloud-init-pipelining');
    const settings = conf.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('//'));
    assert.deepEqual(settings, ['Acquire::http::Pipeline-Depth "0";'], conf);
  });

  it('apt reads the depth as 0', () => {
    const dump = cell.command('apt-config');
    assert.equal(dump.exitCode, 0, dump.stderr);
    assert.equal(dump.stdout.trim(), "DEPTH='0'");
  });
});
