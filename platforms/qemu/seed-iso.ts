import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runTool } from '../../core/host/run-tool.js';
import { launchMetaDataExtras } from '../meta-data.js';
import type { LaunchSpec } from '../types.js';

/** The volume id NoCloud looks for on a block device. */
const NOCLOUD_VOLUME_ID = 'cidata';

/**
 * The launch's NoCloud seed as an ISO 9660 image with volume id `cidata`, which cloud-init
 * finds on any attached drive. A part the launch leaves out is not on it at all: NoCloud
 * then serves none. instance-id and local-hostname are the instance's name, so every
 * launch is a first boot.
 */
export async function writeSeedIso(spec: Pick<LaunchSpec, 'name' | 'userData' | 'vendorData' | 'metaData' | 'networkConfig'>, isoPath: string, signal?: AbortSignal): Promise<void> {
  const dir = `${isoPath}.d`;
  await mkdir(dir, { recursive: true });
  try {
    const files: Record<string, string> = {
      'meta-data': stringify({ 'instance-id': spec.name, 'local-hostname': spec.name, ...launchMetaDataExtras(spec) }),
      'user-data': spec.userData,
    };
    if (spec.vendorData !== undefined) files['vendor-data'] = spec.vendorData;
    if (spec.networkConfig !== undefined) files['network-config'] = spec.networkConfig;
    await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(dir, name), text)));
    await runTool('genisoimage', ['-quiet', '-output', isoPath, '-volid', NOCLOUD_VOLUME_ID, '-joliet', '-rock', ...Object.keys(files).map((name) => join(dir, name))], {
      ...(signal === undefined ? {} : { signal }),
      installHint: 'apt-get install genisoimage (or run `npx harness setup --platform qemu`)',
      errorCode: 'PLATFORM_API',
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
