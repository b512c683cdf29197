/**
 * What a platform can do beyond the one required job, launching instances that run
 * cloud-init with the given user-data and can be exec'd in, read, written and deleted.
 * Each driver declares what it offers; cases declare what they need, and a cell whose
 * case needs what the platform lacks is skipped with the reason. docs/platforms.md is
 * the standard each capability must meet.
 */
export const KNOWN_CAPABILITIES = {
  reboot: 'Instance.restart() boots the same instance again and returns only once its boot id has changed',
  publish: 'Instance.publish() turns the instance into an image that launches',
  'console-log': 'Instance.consoleLog() returns what the instance printed on its console',
  'image-import': 'Platform.importImage() takes a root filesystem built by images/ and makes an image of it',
  ssh: "the harness reaches the instance over SSH with the run's access key",
  'out-of-band-exec': "exec works without the guest's network or sshd (LXD's API, a guest agent): a case may lock SSH out",
  'vendor-data': "LaunchSpec.vendorData reaches cloud-init as vendor-data through the platform's datasource",
  'meta-data': "LaunchSpec.metaData's keys reach cloud-init as instance meta-data",
  'network-config': "LaunchSpec.networkConfig reaches cloud-init as the datasource's network configuration",
  'preboot-files': "LaunchSpec.files are in the instance's filesystem before its first boot starts, so before cloud-init could run",
} as const;

export type KnownCapability = keyof typeof KNOWN_CAPABILITIES;

/**
 * A driver from another package may offer capabilities of its own, named `<driver>:<name>`
 * (e.g. `gce:metadata-server`), so that a misspelt known name is still caught.
 */
export type DriverCapability = `${string}:${string}`;

export type Capability = KnownCapability | DriverCapability;

export const DRIVER_CAPABILITY_PATTERN = /^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9-]*$/;

export function isKnownCapability(name: string): name is KnownCapability {
  return Object.hasOwn(KNOWN_CAPABILITIES, name);
}

export function isCapability(name: string): name is Capability {
  return isKnownCapability(name) || DRIVER_CAPABILITY_PATTERN.test(name);
}
