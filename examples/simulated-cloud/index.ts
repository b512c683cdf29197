import { UsageError, type PlatformDriver } from 'cloudproof/platform';
import { SimulatedCloudPlatform } from './platform.js';

const SETTINGS = ['region'] as const;

/**
 * An example of a platform driver written outside the harness, as a vendor would write
 * one for their cloud: it imports only `cloudproof/platform` (and the simulated machine
 * from `cloudproof/platform/testing` to stand in for real servers), and is loaded with
 * `--platform-module examples/simulated-cloud/index.ts`.
 */
const simulatedCloud: PlatformDriver = {
  name: 'simulated-cloud',
  description: 'an example driver for a pretend cloud whose servers are simulated machines (docs/platforms.md)',
  capabilities: ['reboot', 'console-log', 'vendor-data', 'meta-data'],
  create(options) {
    const unknown = Object.keys(options.settings).filter((key) => !(SETTINGS as readonly string[]).includes(key));
    if (unknown.length > 0) throw new UsageError(`the simulated-cloud driver has no setting "${unknown[0]}"`, `its settings: ${SETTINGS.join(', ')}`);
    return new SimulatedCloudPlatform(options.stateDir, options.settings.region ?? 'sim-1');
  },
  setupSteps: () => [],
};

export default simulatedCloud;
