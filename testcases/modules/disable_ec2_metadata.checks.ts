import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('disable_ec2_metadata', (cell) => {
  it('adds a prohibit route for 169.254.169.254', () => {
    const route = cell.command('route');
    assert.equal(route.exitCode, 0, route.stderr);
    assert.equal(route.stdout.trim(), 'prohibit 169.254.169.254');
  });

  it('the kernel refuses to route to it (EACCES)', () => {
    const get = cell.command('route-get');
    assert.notEqual(get.exitCode, 0, `ip route get found a route: ${get.stdout}`);
    // a prohibit route answers EACCES
    assert.match(get.stderr, /^RTNETLINK answers: Permission denied$/m, get.stderr);
  });

  it('used ip (route is absent from the image)', () => {
    assert.equal(cell.command('route-cmd').stdout.trim(), 'absent');
    assert.match(cell.log(), /Running command \['ip', 'route', 'add', 'prohibit', '169\.254\.169\.254'\]/);
  });
});
