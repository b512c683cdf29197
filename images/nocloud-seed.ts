import type { LxdTemplate } from './recipe.js';

/**
 * The LXD templates that hand a test's user-data to cloud-init through the NoCloud seed,
 * as the official cloud images do: LXD renders them when an instance is created or
 * copied, from `cloud-init.user-data` / `cloud-init.vendor-data` in the instance's config.
 * The instance name is the instance-id, so every copy is a first boot to cloud-init.
 * Any distro whose image ships cloud-init with NoCloud enabled can use them as they are.
 */

const SEED_DIR = '/var/lib/cloud/seed/nocloud-net';
const EMPTY_CLOUD_CONFIG = '#cloud-config\n{}\n';

export const NOCLOUD_SEED_TEMPLATES: Readonly<Record<string, LxdTemplate>> = {
  [`${SEED_DIR}/meta-data`]: { when: ['create', 'copy'], template: 'cloud-init-meta.tpl' },
  [`${SEED_DIR}/user-data`]: {
    when: ['create', 'copy'],
    template: 'cloud-init-user.tpl',
    properties: { default: EMPTY_CLOUD_CONFIG },
  },
  [`${SEED_DIR}/vendor-data`]: {
    when: ['create', 'copy'],
    template: 'cloud-init-vendor.tpl',
    properties: { default: EMPTY_CLOUD_CONFIG },
  },
};

/**
 * LXD 5.0 renders these with the value's trailing newline trimmed (measured: a script
 * given as "...runs\n" arrived as "...runs"); the newline after each expression puts it
 * back, so user-data that ends in a newline, as every YAML block scalar does, arrives
 * byte for byte, as it does in the official images whose templates end the same way.
 */
export const NOCLOUD_SEED_TEMPLATE_FILES: Readonly<Record<string, string>> = {
  'cloud-init-meta.tpl': 'instance-id: {{ container.name }}\nlocal-hostname: {{ container.name }}\n',
  'cloud-init-user.tpl': '{{ config_get("cloud-init.user-data", properties.default) }}\n',
  'cloud-init-vendor.tpl': '{{ config_get("cloud-init.vendor-data", properties.default) }}\n',
};
