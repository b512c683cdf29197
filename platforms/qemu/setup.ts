import { HarnessError } from '../../core/errors.js';
import { aptInstall, findExecutable, isDebianLike, isRoot } from '../../core/host/packages.js';
import type { PlatformOptions, SetupContext, SetupStep } from '../types.js';
import { qemuSettingsOf } from './settings.js';

/** Debian's package of each host tool the driver runs. */
const HOST_PACKAGES: Readonly<Record<string, string>> = {
  'qemu-system-x86_64': 'qemu-system-x86',
  'qemu-img': 'qemu-utils',
  genisoimage: 'genisoimage',
};

/** `harness setup --platform qemu`: the emulator, its disk tool and the seed ISO maker, installed with apt where missing. */
export function qemuSetupSteps(options: PlatformOptions): SetupStep[] {
  const settings = qemuSettingsOf(options);
  return [{ title: 'qemu and its host tools', run: (context) => ensureTools(options, settings.qemuBinary, context) }];
}

async function ensureTools(options: PlatformOptions, qemuBinary: string, context: SetupContext): Promise<string> {
  const wanted = Object.keys(HOST_PACKAGES).map((tool) => (tool === 'qemu-system-x86_64' ? qemuBinary : tool));
  const missing: string[] = [];
  for (const tool of wanted) if ((await findExecutable(tool, options.env)) === undefined) missing.push(tool);
  if (missing.length === 0) return `found ${wanted.join(', ')}`;
  const packages = missing.map((tool) => HOST_PACKAGES[tool] ?? 'qemu-system-x86');
  if (!(await isDebianLike()) || !isRoot()) {
    throw new HarnessError('SETUP', `the qemu platform needs ${missing.join(', ')}`, { hint: `install as root: apt-get install -y ${packages.join(' ')}` });
  }
  await aptInstall(packages, context);
  return `installed ${packages.join(', ')} with apt-get`;
}
