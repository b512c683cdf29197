import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runTool } from '../../core/host/run-tool.js';
import { launchMetaDataExtras } from '../meta-data.js';
import type { LaunchSpec } from '../types.js';

type SeedSpec = Pick<LaunchSpec, 'name' | 'userData' | 'vendorData' | 'metaData' | 'networkConfig' | 'transport'> & { readonly accessKey?: Pick<LaunchSpec['accessKey'], 'publicKey'> };

/**
 * The launch's meta-data under the platform's own keys. The access key is among
 * `public-keys` only for a launch over SSH, after any keys of the launch's own: a launch
 * served out of band leaves the guest untouched by it.
 */
export function seedMetaData(spec: SeedSpec): Record<string, unknown> {
  const extras = launchMetaDataExtras(spec);
  if (spec.transport !== 'ssh' || spec.accessKey === undefined) return { 'instance-id': spec.name, 'local-hostname': spec.name, ...extras };
  const given = extras['public-keys'];
  // cloud-init takes a key, a list of keys, or a map of them.
  const theirs = given === undefined ? [] : Array.isArray(given) ? given : typeof given === 'object' && given !== null ? Object.values(given) : [given];
  return { 'instance-id': spec.name, 'local-hostname': spec.name, ...extras, 'public-keys': [...theirs, spec.accessKey.publicKey] };
}

/** The volume id NoCloud looks for on a block device. */
const NOCLOUD_VOLUME_ID = 'cidata';

/**
 * The launch's NoCloud seed as an ISO 9660 image with volume id `cidata`, which cloud-init
 * finds on any attached drive. A part the launch leaves out is not on it at all: NoCloud
 * then serves none. instance-id and local-hostname are the instance's name, so every
 * launch is a first boot.
 */
export async function writeSeedIso(spec: SeedSpec, isoPath: string, signal?: AbortSignal): Promise<void> {
  const dir = `${isoPath}.d`;
  await mkdir(dir, { recursive: true });
  try {
    const files: Record<string, string> = {
      'meta-data': stringify(seedMetaData(spec)),
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
