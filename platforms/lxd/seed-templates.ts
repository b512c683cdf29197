import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { launchMetaDataExtras } from '../meta-data.js';
import type { LaunchSpec } from '../types.js';

/**
 * How a launch's seed reaches cloud-init on LXD, as Canonical's LXD images do it: the image
 * carries templates that LXD renders into the NoCloud seed directory when an instance is
 * created or copied, from keys in the instance's config. These templates are the driver's,
 * packed into every image it imports from a root filesystem; `SEED_IDENTITY` changes with
 * them, so that an image packed with older ones is rebuilt.
 */

const SEED_DIR = '/var/lib/cloud/seed/nocloud-net';

/** The instance config keys the templates read; LXD 5.0 has no `cloud-init.` key for meta-data, so Canonical's images read `user.meta-data`. */
export const SEED_CONFIG = {
  userData: 'cloud-init.user-data',
  vendorData: 'cloud-init.vendor-data',
  networkConfig: 'cloud-init.network-config',
  metaData: 'user.meta-data',
} as const;

/**
 * `user.*` keys LXD documents as cloud-init data (the legacy names of the `cloud-init.` keys,
 * and meta-data): never labels, though labels live under `user.` too.
 */
export const NON_LABEL_CONFIG_KEYS: ReadonlySet<string> = new Set(['user.meta-data', 'user.user-data', 'user.vendor-data', 'user.network-config']);

export type TemplateTrigger = 'create' | 'copy' | 'start';

/** One entry of metadata.yaml's `templates`: LXD renders `template` (a file under templates/) to a path in the instance. */
export interface LxdTemplate {
  readonly when: readonly TemplateTrigger[];
  readonly template: string;
}

const ON_FIRST_BOOT: readonly TemplateTrigger[] = ['create', 'copy'];

export const SEED_TEMPLATES: Readonly<Record<string, LxdTemplate>> = {
  [`${SEED_DIR}/meta-data`]: { when: ON_FIRST_BOOT, template: 'cloud-init-meta.tpl' },
  [`${SEED_DIR}/user-data`]: { when: ON_FIRST_BOOT, template: 'cloud-init-user.tpl' },
  [`${SEED_DIR}/vendor-data`]: { when: ON_FIRST_BOOT, template: 'cloud-init-vendor.tpl' },
  [`${SEED_DIR}/network-config`]: { when: ON_FIRST_BOOT, template: 'cloud-init-network.tpl' },
};

/**
 * The key's value, or nothing at all when it is unset. LXD 5.0.2 renders a value with every
 * trailing newline trimmed (measured: a script given as "...runs\n" arrived as "...runs");
 * the newline after the expression puts one back, so user-data that ends in a newline, as
 * every YAML block scalar does, arrives byte for byte. Without the condition an unset key
 * would still leave that "\n": measured on both cloud-init 22.4.2 and 25.1.4, NoCloud skips
 * a 0-byte network-config or vendor-data file as if it were absent, while a "\n" one is
 * parsed as YAML first (to None); the empty file is the one that keeps the boot as it was.
 */
function whenSet(key: string): string {
  return `{% if config_get("${key}", "") %}{{ config_get("${key}", "") }}\n{% endif %}`;
}

/**
 * instance-id and local-hostname are the container's name, so that every instance is a
 * first boot to cloud-init; the launch's other meta-data keys follow as YAML, top-level keys
 * of the same document.
 */
export const SEED_TEMPLATE_FILES: Readonly<Record<string, string>> = {
  'cloud-init-meta.tpl': `instance-id: {{ container.name }}\nlocal-hostname: {{ container.name }}\n${whenSet(SEED_CONFIG.metaData)}`,
  'cloud-init-user.tpl': whenSet(SEED_CONFIG.userData),
  'cloud-init-vendor.tpl': whenSet(SEED_CONFIG.vendorData),
  'cloud-init-network.tpl': whenSet(SEED_CONFIG.networkConfig),
};

/** The image property that records which seed templates (and tarball layout) an image was packed with. */
export const SEED_PROPERTY = 'cloudproof.lxd-seed';

/** Bumped when tarball.ts changes how it packs a root filesystem, although the templates stay the same. */
const PACKING_FORMAT = 1;

export const SEED_IDENTITY = createHash('sha256')
  .update(JSON.stringify({ format: PACKING_FORMAT, templates: sorted(SEED_TEMPLATES), files: sorted(SEED_TEMPLATE_FILES) }))
  .digest('hex');

function sorted<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The instance config that makes the templates serve this launch's seed. A part the launch
 * leaves out gets no key, and its template renders an empty file, which NoCloud reads as
 * absent.
 */
export function seedConfig(spec: Pick<LaunchSpec, 'userData' | 'vendorData' | 'metaData' | 'networkConfig'>): Record<string, string> {
  const config: Record<string, string> = { [SEED_CONFIG.userData]: spec.userData };
  if (spec.vendorData !== undefined) config[SEED_CONFIG.vendorData] = spec.vendorData;
  if (spec.networkConfig !== undefined) config[SEED_CONFIG.networkConfig] = spec.networkConfig;
  const extras = launchMetaDataExtras(spec);
  if (Object.keys(extras).length > 0) config[SEED_CONFIG.metaData] = stringify(extras);
  return config;
}
