import type { AccessKey, ImageInfo, Instance, Labels, Platform } from '../../platforms/types.js';
import { CLOUD_INIT_DISABLED } from '../../core/cloud-init-paths.js';
import { HarnessError } from '../../core/errors.js';
import type { ExtraPackageRecord, SourceTreeRecord } from '../../results-schema/run-manifest.js';
import type { InstallableBuild } from './build-source.js';
import { installBuildAndDependencies } from './install-build.js';
import { artifactHashes, CLEAN_SCRIPT, PREPARE_RECIPE_VERSION, preparedAlias, preparedHash, PROPERTY } from './prepare-recipe.js';
import { extraPackagesProperty, readExtraPackagesProperty } from './runtime-depends.js';

/**
 * A prepared image: the base image with the build installed once, published under
 * `cloudproof/prepared/<hash>`. Every case then boots from it as from any image, and the
 * next run with the same inputs finds it by name instead of preparing again. cloud-init
 * never runs in the preparation instance (it is launched with cloud-init's disabled
 * marker in place), so the image differs from its base by the build alone: no default
 * user, sudoers rule or first-boot state that a case would otherwise find already there.
 */
export interface PrepareImageSpec {
  readonly platform: Platform;
  readonly base: ImageInfo;
  /** What the user called the base, e.g. `debian/bookworm`. */
  readonly baseRef: string;
  readonly build: InstallableBuild;
  /** The tree a source build was made from, for the image's properties. */
  readonly tree: SourceTreeRecord | undefined;
  readonly instanceName: string;
  /** Labels as for cells (managed, run), so that `harness gc` finds a preparation a crash left behind. */
  readonly labels: Labels;
  readonly accessKey: AccessKey;
  readonly signal: AbortSignal;
  readonly say: (line: string) => void;
}

export interface PreparedImage {
  readonly image: ImageInfo;
  readonly reused: boolean;
  /** As dpkg reported it inside the instance (for a reused image: as recorded when it was made). */
  readonly installedVersion: string | undefined;
  /** What the base lacked and got with the build (for a reused image: as recorded when it was made). */
  readonly extraPackages: readonly ExtraPackageRecord[];
  readonly seconds: number;
}

const BOOT_TIMEOUT_S = 300;
const CLEAN_TIMEOUT_MS = 120_000;
const REMOVE_TIMEOUT_MS = 60_000;
/** Never read (cloud-init does not run), but every launch serves some. */
const EMPTY_USER_DATA = '#cloud-config\n{}\n';

export async function prepareImage(spec: PrepareImageSpec): Promise<PreparedImage> {
  const { platform, base, build, signal, say } = spec;
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  const hash = preparedHash(base.fingerprint, build);
  const alias = preparedAlias(hash);

  const existing = await platform.findImage(alias);
  // The same line can name a repository whose contents changed since: never reuse its image.
  if (existing?.properties[PROPERTY.hash] === hash && build.kind !== 'repo') {
    say(`${spec.baseRef}: reusing prepared image ${alias} (${short(existing.fingerprint)}, cloud-init ${existing.properties[PROPERTY.cloudInit] ?? '?'}): same base, build and recipe, made ${existing.createdAt}`);
    return { image: existing, reused: true, installedVersion: existing.properties[PROPERTY.cloudInit], extraPackages: readExtraPackagesProperty(existing.properties[PROPERTY.extraPackages]), seconds: seconds() };
  }
  say(`${spec.baseRef}: preparing ${alias} from ${short(base.fingerprint)} with ${describeBuild(build)}`);
  let instance: Instance | undefined;
  let failed = false;
  try {
    instance = await platform.launch({
      name: spec.instanceName,
      imageFingerprint: base.fingerprint,
      userData: EMPTY_USER_DATA,
      files: [{ path: CLOUD_INIT_DISABLED, content: '' }],
      accessKey: spec.accessKey,
      labels: spec.labels,
      signal,
    });
    // The platform's readiness alone: there is no cloud-init boot to wait for.
    await platform.readiness.waitUntilReady(instance, { timeoutMs: BOOT_TIMEOUT_S * 1000 * platform.limits.bootTimeoutFactor, signal });
    const { cloudInitVersion: installedVersion, extraPackages } = await installBuildAndDependencies(instance, build, { signal, say: (line) => say(`${spec.baseRef}: ${line}`) });
    const enabled = await instance.exec({ command: ['rm', '-f', CLOUD_INIT_DISABLED], timeoutMs: REMOVE_TIMEOUT_MS, signal });
    if (enabled.exitCode !== 0) throw new HarnessError('IMAGE_BUILD', `removing ${CLOUD_INIT_DISABLED} from ${instance.name} failed (exit ${enabled.exitCode}): ${enabled.stderr.toString('utf8').trim().slice(-300)}`);
    const cleaned = await instance.exec({ command: ['sh', '-c', CLEAN_SCRIPT], timeoutMs: CLEAN_TIMEOUT_MS, signal });
    if (cleaned.exitCode !== 0) {
      throw new HarnessError('IMAGE_BUILD', `cleaning ${instance.name} before publishing failed (exit ${cleaned.exitCode}): ${cleaned.stderr.toString('utf8').trim().slice(-300)}`);
    }
    const image = await instance.publish({
      aliases: [alias],
      properties: {
        ...base.properties,
        description: `${base.properties.description ?? spec.baseRef} + cloud-init ${installedVersion}${spec.tree?.describe === undefined ? '' : ` from ${spec.tree.describe}`} (cloudproof prepared)`,
        [PROPERTY.prepared]: 'true',
        [PROPERTY.hash]: hash,
        [PROPERTY.base]: base.fingerprint,
        [PROPERTY.baseRef]: spec.baseRef,
        [PROPERTY.buildKind]: build.kind,
        [PROPERTY.artifacts]: artifactHashes(build).join(','),
        [PROPERTY.recipe]: String(PREPARE_RECIPE_VERSION),
        [PROPERTY.cloudInit]: installedVersion,
        [PROPERTY.extraPackages]: extraPackagesProperty(extraPackages),
        ...(spec.tree === undefined ? {} : { [PROPERTY.tree]: spec.tree.describe ?? `files ${spec.tree.identity.slice(0, 12)}`, [PROPERTY.treeIdentity]: spec.tree.identity }),
      },
      signal,
    });
    // Publishing moved the alias to the new image; the old one (a repository build's earlier state) is now nameless.
    if (existing !== undefined && existing.fingerprint !== image.fingerprint) await platform.deleteImage(existing.fingerprint);
    say(`${spec.baseRef}: prepared ${alias} (${short(image.fingerprint)}) with cloud-init ${installedVersion} in ${seconds().toFixed(1)} s`);
    return { image, reused: false, installedVersion, extraPackages, seconds: seconds() };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // A failed launch removes what it made itself; from then on the instance is this function's to remove.
    if (instance !== undefined) {
      const doomed = instance;
      await doomed.delete().catch((error: unknown) => {
        if (!failed) throw error;
        say(`could not remove the preparation instance ${doomed.name}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }
}

export function describeBuild(build: InstallableBuild): string {
  if (build.kind === 'repo') return `cloud-init from "${build.line.text}"`;
  return build.debs.map((deb) => `${deb.package} ${deb.version}`).join(', ');
}

function short(hex: string): string {
  return hex.slice(0, 12);
}
