import type { PlatformDriver } from '../types.js';
import { LxdClient } from './client.js';
import { LXD_CAPABILITIES, LxdPlatform } from './platform.js';
import { socketPathOf } from './settings.js';
import { lxdSetupSteps } from './setup.js';

const lxd: PlatformDriver = {
  name: 'lxd',
  description: "LXD system containers on this machine, driven through LXD's REST API on its unix socket",
  capabilities: LXD_CAPABILITIES,
  create: (options) => new LxdPlatform(new LxdClient({ socketPath: socketPathOf(options) })),
  setupSteps: (options) => lxdSetupSteps(options),
};

export default lxd;
