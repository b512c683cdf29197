import type { PlatformDriver } from '../types.js';
import { LxdClient, lxdSocketPath } from './client.js';
import { LxdPlatform } from './platform.js';
import { lxdSetupSteps } from './setup.js';

const lxd: PlatformDriver = {
  name: 'lxd',
  description: "LXD system containers on this machine, driven through LXD's REST API on its unix socket",
  create: (options) => new LxdPlatform(new LxdClient({ socketPath: lxdSocketPath(options.env) })),
  setupSteps: (options) => lxdSetupSteps(options),
};

export default lxd;
