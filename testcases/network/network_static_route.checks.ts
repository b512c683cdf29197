import assert from 'node:assert/strict';
import { describeCase } from '../api.js';
import { networkChecks } from './rendered-network.js';

describeCase('network_static_route', (cell) => {
  networkChecks(cell, { addresses: ['10.99.2.5/24'] });

  it('eth0 has the route', () => {
    const routes = cell.command('routes').stdout;
    assert.ok(routes.includes('10.98.2.0/24 via 10.99.2.1'), `no route to 10.98.2.0/24 via 10.99.2.1 on eth0:\n${routes}`);
  });
});
