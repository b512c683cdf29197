/**
 * `cloudproof/platform/testing`: pieces for a driver's own tests and examples, kept apart
 * from `cloudproof/platform` so that a driver's production code never imports them.
 */
export { SimulatedMachine } from './fake/simulated-machine.js';
