import { describeCase } from '../api.js';
import { networkChecks } from './rendered-network.js';

describeCase('network_v2', (cell) => {
  networkChecks(cell, { addresses: ['10.99.2.5/24', '10.99.3.5/24'] });
});
