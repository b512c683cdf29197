import { describeCase } from '../api.js';
import { networkChecks } from './rendered-network.js';

describeCase('network_v1', (cell) => {
  networkChecks(cell, { addresses: ['10.99.1.5/24'] });
});
