import type { LaunchSpec } from './types.js';

/** The platform's own meta-data keys: a launch's keys of these names are dropped, not served, so every launch stays a first boot. */
const PLATFORM_META_DATA_KEYS: ReadonlySet<string> = new Set(['instance-id', 'local-hostname']);

/** The keys of the launch's meta-data a NoCloud-style driver serves beside its own. */
export function launchMetaDataExtras(spec: Pick<LaunchSpec, 'metaData'>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec.metaData ?? {}).filter(([key]) => !PLATFORM_META_DATA_KEYS.has(key)));
}
