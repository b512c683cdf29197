import { parse, stringify } from 'yaml';
import type { LaunchSpec } from '../types.js';
import { pythonRepr } from './python-repr.js';

/** Where LXD's images and NoCloud-style platforms put the datasource's files. */
export const SEED_DIR = '/var/lib/cloud/seed/nocloud-net';

/** One timestamp for every line: the fake's logs are the same on every run. */
const STAMP = '2026-11-28 14:00:00,000';

/**
 * The meta-data a launch serves: the platform's `instance-id` and `local-hostname` (the
 * instance's name, so that every launch is a first boot) over the caller's keys.
 */
export function metaDataOf(spec: LaunchSpec): Readonly<Record<string, unknown>> {
  return { 'instance-id': spec.name, 'local-hostname': spec.name, ...withoutPlatformKeys(spec.metaData ?? {}) };
}

/** The NoCloud seed files, path → content; vendor-data and network-config only when the launch gave them. */
export function nocloudSeed(spec: LaunchSpec): ReadonlyMap<string, string> {
  const seed = new Map<string, string>([
    [`${SEED_DIR}/user-data`, spec.userData],
    [`${SEED_DIR}/meta-data`, stringify(metaDataOf(spec))],
  ]);
  if (spec.vendorData !== undefined) seed.set(`${SEED_DIR}/vendor-data`, spec.vendorData);
  if (spec.networkConfig !== undefined) seed.set(`${SEED_DIR}/network-config`, spec.networkConfig);
  return seed;
}

/**
 * A clean boot's cloud-init.log, in cloud-init's own line format. With a network
 * configuration it carries the line real cloud-init writes on applying one, quoting the
 * parsed config as a Python dict (so the interface names are in it).
 */
export function cloudInitLog(spec: LaunchSpec, cloudInitVersion: string): string {
  const lines = [`${STAMP} - util.py[DEBUG]: Cloud-init v. ${cloudInitVersion} running 'init-local'`];
  if (spec.networkConfig !== undefined) lines.push(networkLine(spec.networkConfig));
  lines.push(`${STAMP} - util.py[DEBUG]: Cloud-init v. ${cloudInitVersion} finished`);
  return `${lines.join('\n')}\n`;
}

function networkLine(networkConfig: string): string {
  let config: unknown;
  try {
    config = parse(networkConfig);
  } catch {
    return `${STAMP} - util.py[WARNING]: Failed loading yaml blob of network-config`;
  }
  // cloud-init accepts the document with or without a top-level `network:` key.
  const inner = isRecord(config) && isRecord(config.network) ? config.network : config;
  return `${STAMP} - stages.py[INFO]: Applying network configuration from ds bringup=False: ${pythonRepr(inner)}`;
}

function withoutPlatformKeys(metaData: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { 'instance-id': _instanceId, 'local-hostname': _localHostname, ...rest } = metaData;
  return rest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
