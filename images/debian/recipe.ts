import { HarnessError, UsageError } from '../../core/errors.js';
import type { ImageRecipe } from '../recipe.js';

/**
 * A Debian cloud image with a real cloud-init, as data: what mmdebstrap installs and what
 * the hooks change afterwards.
 * Each release carries the cloud-init version Debian ships in it, which is the point of
 * having several.
 */

export const DEBIAN_RELEASES = ['bullseye', 'bookworm', 'trixie', 'sid'] as const;
type DebianRelease = (typeof DEBIAN_RELEASES)[number];

const BASE_PACKAGES = [
  'systemd',
  'systemd-sysv',
  'cloud-init',
  'openssh-server',
  'iproute2',
  'ifupdown',
  'sudo',
  'udev',
  'dbus',
  'isc-dhcp-client',
  'netbase',
  'locales',
  // A cloud image sets its clock zone with cloud-init's timezone module, which needs the zone files.
  'tzdata',
] as const;

/** isc-dhcp-client reached its end of life and is not in trixie or later. */
const WITHOUT_ISC_DHCP: ReadonlySet<DebianRelease> = new Set(['trixie', 'sid']);

const LOCALE = 'en_US.UTF-8';

/** Each hook is run by mmdebstrap as `sh -c HOOK exec ROOTFS`. */
const CUSTOMIZE_HOOKS: readonly string[] = [
  // cloud-init's locale module fails when the locale is not generated, and reruns
  // locale-gen on every first boot (2.3 s) when /etc/default/locale is missing.
  `echo "${LOCALE} UTF-8" > "$1/etc/locale.gen"`,
  'chroot "$1" locale-gen',
  `echo LANG=${LOCALE} > "$1/etc/default/locale"`,
  // A test image is fed only through the NoCloud seed; probing other datasources costs
  // boot time and could pick up something that is not the test's.
  'mkdir -p "$1/etc/cloud/cloud.cfg.d" && ' +
    `printf '%s\\n' '# Written by cloudproof: user-data comes from the NoCloud seed only.' ` +
    `'datasource_list: [NoCloud, None]' > "$1/etc/cloud/cloud.cfg.d/90_cloudproof.cfg"`,
  // Empty, so that each instance makes its own on first boot; never "uninitialized"
  // (what `cloud-init clean --machine-id` writes), on which systemd-firstboot waits for
  // console input forever. mmdebstrap's own cleanup empties it too, but only by default.
  'truncate -s 0 "$1/etc/machine-id" && rm -f "$1/var/lib/dbus/machine-id"',
  // Made by openssh-server's postinst; instances sharing them would share an identity.
  // cloud-init's ssh module generates new ones before sshd starts.
  'rm -f "$1"/etc/ssh/ssh_host_*',
  // mmdebstrap copies the build host's name and resolver into the tree.
  'echo localhost > "$1/etc/hostname"',
  ': > "$1/etc/resolv.conf"',
  // Instances have no network to refresh lists with; stale lists and .debs only cost space.
  'chroot "$1" apt-get clean && rm -rf "$1"/var/lib/apt/lists/*',
];

/** Node's architecture name → Debian's. */
const ARCHITECTURES: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
};

function isDebianRelease(release: string): release is DebianRelease {
  return (DEBIAN_RELEASES as readonly string[]).includes(release);
}

/** The recipe for `release` on this machine's architecture (`hostArch` as in `process.arch`). */
export function debianRecipe(release: string, hostArch: string = process.arch): ImageRecipe {
  if (!isDebianRelease(release)) {
    throw new UsageError(
      `unknown Debian release "${release}"`,
      `known releases: ${DEBIAN_RELEASES.join(', ')}`,
    );
  }
  const arch = ARCHITECTURES[hostArch];
  if (arch === undefined) {
    throw new HarnessError('IMAGE_BUILD', `cannot build Debian images on a ${hostArch} host`, {
      hint: `supported host architectures: ${Object.keys(ARCHITECTURES).join(', ')}`,
    });
  }
  const packages = BASE_PACKAGES.filter(
    (name) => !(name === 'isc-dhcp-client' && WITHOUT_ISC_DHCP.has(release)),
  );
  return {
    distro: 'debian',
    release,
    architecture: arch,
    packages,
    customizeHooks: CUSTOMIZE_HOOKS,
    description: `Debian ${release} ${arch} with cloud-init (cloudproof)`,
  };
}
