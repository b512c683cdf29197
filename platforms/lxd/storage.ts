import type { LxdClient } from './client.js';

/**
 * Where instances' root filesystems go: the pool named by the default profile's root disk.
 * LXD answers a launch without one only with a late, vague error, so both `connect()` and
 * `harness setup` look here first.
 */

export interface LxdProfile {
  readonly devices: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface RootPool {
  readonly name: string;
  readonly driver: string;
}

export type RootPoolCheck =
  | { readonly ok: true; readonly pool: RootPool }
  | { readonly ok: false; readonly problem: string; readonly profile: LxdProfile };

export const DEFAULT_PROFILE_PATH = '/1.0/profiles/default';

export async function checkRootPool(client: LxdClient): Promise<RootPoolCheck> {
  const profile = await client.get<LxdProfile>(DEFAULT_PROFILE_PATH);
  const root = Object.values(profile.devices).find((device) => device.type === 'disk' && device.path === '/');
  if (root?.pool === undefined) {
    return { ok: false, problem: 'the default LXD profile has no root disk', profile };
  }
  const pool = await client.getOrUndefined<{ readonly driver: string }>(`/1.0/storage-pools/${encodeURIComponent(root.pool)}`);
  if (pool === undefined) {
    return { ok: false, problem: `the default LXD profile's root disk names storage pool "${root.pool}", which does not exist`, profile };
  }
  return { ok: true, pool: { name: root.pool, driver: pool.driver } };
}
