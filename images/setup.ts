import { HarnessError } from '../core/errors.js';
import { aptInstall, findExecutable, isDebianLike, isRoot } from '../core/host/packages.js';
import type { SetupStep } from '../platforms/types.js';

/** `harness setup`'s step for the tools `harness image build` runs on the host. */
export function imageToolsSetupStep(env: Readonly<Record<string, string | undefined>>): SetupStep {
  return {
    title: 'image build tools',
    run: async (context) => {
      const found = await findExecutable('mmdebstrap', env);
      if (found !== undefined) return `found ${found}`;
      if (!(await isDebianLike()) || !isRoot()) {
        throw new HarnessError('SETUP', 'mmdebstrap is not installed; it builds the test images from Debian\'s archive', {
          hint: 'install it as root: apt-get install -y mmdebstrap',
        });
      }
      await aptInstall(['mmdebstrap'], context);
      return 'installed mmdebstrap with apt-get';
    },
  };
}
