import { createHash } from 'node:crypto';
import type { InstallableBuild } from './build-source.js';
import { APT_INSTALL, BUILD_DIR, REPO_LIST, REPO_PIN } from './install-build.js';
import { CLOUD_INIT_DISABLED } from '../../core/cloud-init-paths.js';
import { IMAGE_ALIAS_PREFIX, IMAGE_PROPERTY } from '../../core/image-names.js';

/**
 * What a prepared image is made of, and the name it gets: the hash of the base image, the
 * build's bytes and this recipe's text, so that a change to any of them makes a new image
 * and the same inputs find the old one.
 */

/** Raise when the preparation changes in a way its text below does not show. */
export const PREPARE_RECIPE_VERSION = 2;

/**
 * After the build is installed: forget the preparation's boot, which systemd and the
 * install still left traces of, so that each instance of the image boots as a first boot
 * with its own identity. `clean --logs` runs the build's own clean.d hooks and removes
 * anything its postinst wrote under /var/lib/cloud. Not `clean --machine-id` (22.4 writes
 * "uninitialized", on which systemd-firstboot waits for console input forever) and not
 * `clean --seed` (copies then waited 2 min in systemd-networkd-wait-online).
 */
export const CLEAN_SCRIPT = [
  'set -e',
  'cloud-init clean --logs',
  'truncate -s 0 /etc/machine-id',
  'rm -f /var/lib/dbus/machine-id /etc/ssh/ssh_host_*',
  // The base was never booted, so it has no journal: a case reading the journal must find its own boots only.
  // journald moves to /run first, or it would write this boot's journal back as the instance stops.
  'journalctl --relinquish-var',
  'rm -rf /var/log/journal/*',
  `rm -rf ${BUILD_DIR} ${REPO_LIST} ${REPO_PIN}`,
  // The image had no package lists (no network to refresh them); a repository build fetched some.
  'apt-get clean',
  // The lists alone (and apt's auxfiles/): the base has apt's lock file and partial/, as any Debian system does.
  'find /var/lib/apt/lists -mindepth 1 -maxdepth 1 ! -name lock ! -name partial -exec rm -rf {} +',
].join('\n');

export const PREPARED_ALIAS_PREFIX = `${IMAGE_ALIAS_PREFIX}prepared/`;

/** Image properties a prepared image carries besides its base's. */
export const PROPERTY = {
  prepared: 'cloudproof.prepared',
  hash: 'cloudproof.prepared-hash',
  base: 'cloudproof.base',
  baseRef: 'cloudproof.base-ref',
  buildKind: 'cloudproof.build-kind',
  artifacts: 'cloudproof.artifacts',
  recipe: 'cloudproof.prepare-recipe',
  /** A source build's tree as a person names it: its git describe (`22.4.2-1-g8e127320`, `-dirty` when it had uncommitted changes). */
  tree: 'cloudproof.tree',
  /** The tree's identity (commit and uncommitted changes, hashed), which names its cached build. */
  treeIdentity: 'cloudproof.tree-identity',
  /** JSON: the packages the base lacked and got with the build (runtime-depends.ts). */
  extraPackages: 'cloudproof.extra-packages',
  /** The same property images/ sets on a base image: cases' `requires.cloud_init` read it. */
  cloudInit: IMAGE_PROPERTY.cloudInit,
} as const;

/** The sha256 of each file the build installs (a repository build: of its source line), in a stable order. */
export function artifactHashes(build: InstallableBuild): string[] {
  return build.kind === 'repo' ? [build.sha256] : build.debs.map((deb) => deb.sha256).sort();
}

export function preparedHash(baseFingerprint: string, build: InstallableBuild): string {
  const recipe = { version: PREPARE_RECIPE_VERSION, disabled: CLOUD_INIT_DISABLED, install: APT_INSTALL, clean: CLEAN_SCRIPT };
  return createHash('sha256')
    // A .deb built from source installs exactly as the same bytes passed with deb: do.
    .update(JSON.stringify({ base: baseFingerprint, kind: build.kind === 'repo' ? 'repo' : 'deb', artifacts: artifactHashes(build), recipe }))
    .digest('hex');
}

/** 16 hex digits are plenty to tell a machine's prepared images apart and short enough to read; the full hash is a property. */
export function preparedAlias(hash: string): string {
  return `${PREPARED_ALIAS_PREFIX}${hash.slice(0, 16)}`;
}
