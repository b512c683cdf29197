import type { PlatformDriver } from '../types.js';
import { QEMU_CAPABILITIES, QemuPlatform } from './platform.js';
import { qemuSetupSteps } from './setup.js';

const qemu: PlatformDriver = {
  name: 'qemu',
  description: 'qemu VMs on this machine (KVM where it boots a guest, else TCG), reached through the guest agent and the serial console, or over SSH',
  capabilities: QEMU_CAPABILITIES,
  create: (options) => new QemuPlatform(options),
  setupSteps: (options) => qemuSetupSteps(options),
};

export default qemu;
