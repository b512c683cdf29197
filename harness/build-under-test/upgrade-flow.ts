import type { Instance } from '../../platforms/types.js';
import type { InstallableBuild } from './build-source.js';
import { installBuild } from './install-build.js';

/** Puts the build under test into a booted instance; the platform must have the 'reboot' capability. */
export interface CellUpgrade {
  install(instance: Instance, signal: AbortSignal): Promise<void>;
}

/**
 * `--upgrade-from image`: each case boots the base image's own cloud-init, then gets the
 * build as a distro update reaches a running machine, then reboots into it (the cell
 * runner does the reboot and the second wait). The version check runs in every case.
 */
export function upgradeFlow(build: InstallableBuild): CellUpgrade {
  return {
    install: async (instance, signal) => {
      await installBuild(instance, build, signal);
    },
  };
}
