/** Paths in a guest that cloud-init itself defines, which the harness, the drivers and the checks all name. */

export const CLOUD_INIT_LOG = '/var/log/cloud-init.log';

/** Present at boot, it keeps cloud-init from running at all (cloud-init's systemd generator checks for it). */
export const CLOUD_INIT_DISABLED = '/etc/cloud/cloud-init.disabled';
