import { createHash } from 'node:crypto';

/**
 * The fake's identities are hashes of what they identify, never random: the same launch
 * gives the same boot ids and the same publish the same fingerprint, run after run.
 */
export function fingerprintOf(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Shaped as the kernel's (a version 4 UUID), so that code parsing a real one parses this. */
export function bootIdOf(instanceName: string, boot: number): string {
  const hex = fingerprintOf(['boot', instanceName, String(boot)]);
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
