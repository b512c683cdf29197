import { UsageError } from '../../core/errors.js';
import type { Labels } from '../types.js';
import { NON_LABEL_CONFIG_KEYS } from './seed-templates.js';

/** Labels live in the instance's config under this prefix: label `cloudproof.run` is `user.cloudproof.run`. */
const LABEL_PREFIX = 'user.';

export function labelConfig(labels: Labels): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    const configKey = `${LABEL_PREFIX}${key}`;
    if (NON_LABEL_CONFIG_KEYS.has(configKey)) throw new UsageError(`label "${key}" cannot be set on LXD: ${configKey} is cloud-init data there`, 'choose another label name');
    config[configKey] = value;
  }
  return config;
}

export function labelsOf(config: Readonly<Record<string, string>>): Labels {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(LABEL_PREFIX) && !NON_LABEL_CONFIG_KEYS.has(key)) labels[key.slice(LABEL_PREFIX.length)] = value;
  }
  return labels;
}
