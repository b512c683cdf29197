import type { AccessKey, Platform } from '../../platforms/types.js';
import { UsageError } from '../../core/errors.js';
import type { CellImage } from '../../results-schema/cell-record.js';
import type { BuildRecord, PreparedImageRecord, SourceTreeRecord } from '../../results-schema/run-manifest.js';
import { instanceName, LABEL_IMAGE, LABEL_ROLE } from '../../core/run-id.js';
import { runLabels } from '../../core/run-owner.js';
import { CLOUD_INIT_PACKAGE, type BuildSource, type InstallableBuild, type ResolvedBuild } from './build-source.js';
import { checkBuild, type CheckedBuild } from './check-build.js';
import { describeBuild, prepareImage } from './prepare-image.js';
import { upgradeFlow, type CellUpgrade } from './upgrade-flow.js';

/**
 * The run loop's "prepare images" stage: turns the resolved base images into the images
 * cells launch from (prepared ones), or keeps the base images and hands the cell runner an
 * upgrade step (--upgrade-from image). With no build it changes nothing.
 */

export interface BuildOptions {
  readonly source: BuildSource;
  /** 'image': each case boots the base image's own cloud-init first, then upgrades to the build. */
  readonly upgradeFrom: 'image' | undefined;
  /** The host's environment, for finding the tools a source build needs. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface BuildStage {
  readonly images: readonly CellImage[];
  readonly record: BuildRecord;
  readonly upgrade: CellUpgrade | undefined;
  /** One line for the run's plan, or undefined when there is no build. */
  readonly summary: string | undefined;
}

/** Bad input stops here, before the platform is contacted: one line, exit 2. */
export async function checkBuildOptions(options: BuildOptions, platform: Platform): Promise<CheckedBuild> {
  if (options.upgradeFrom !== undefined) {
    if (options.source.kind === 'none') throw new UsageError('--upgrade-from needs a build to upgrade to', 'add --build deb:<file> (or source:, repo:)');
    if (!platform.capabilities.has('reboot')) {
      throw new UsageError(`--upgrade-from image reboots each case, which the ${platform.name} platform cannot do`, 'drop --upgrade-from to boot every case from a prepared image');
    }
  }
  if (options.source.kind !== 'none' && options.upgradeFrom === undefined) {
    // A prepared image is published from an instance that booted with cloud-init kept out by a file put there before its first boot.
    const lacking = (['publish', 'preboot-files'] as const).filter((capability) => !platform.capabilities.has(capability));
    if (lacking.length > 0) {
      throw new UsageError(`platform ${platform.name} lacks ${lacking.join(' and ')}, so cannot prepare an image with the build in which cloud-init never ran`, 'use --upgrade-from image to install the build in each case instead');
    }
  }
  return checkBuild(options.source);
}

export async function runBuildStage(input: {
  readonly platform: Platform;
  readonly images: readonly CellImage[];
  /** Resolved before: the run validates the cases against the build's cloud-config schema first. */
  readonly build: ResolvedBuild;
  readonly tree: SourceTreeRecord | undefined;
  readonly options: BuildOptions;
  readonly runId: string;
  /** The run's results folder, labelled on the preparation instance so that `harness gc` can mark a killed run abandoned. */
  readonly runDir: string;
  readonly accessKey: AccessKey;
  readonly signal: AbortSignal;
  readonly say: (line: string) => void;
}): Promise<BuildStage> {
  const { platform, images, build, options, runId, signal, say } = input;
  if (build.kind === 'none') return { images, record: { kind: 'none' }, upgrade: undefined, summary: undefined };

  if (options.upgradeFrom === 'image') {
    // What the judged (second) boot runs; a repository's version is only known inside each case.
    const version = build.kind === 'repo' ? undefined : build.debs.find((deb) => deb.package === CLOUD_INIT_PACKAGE)?.version;
    const upgraded = images.map((image) => ({ ...image, cloudInitVersion: version, build: { kind: build.kind, flow: 'upgrade' as const, baseFingerprint: image.fingerprint } }));
    const prepared = images.map((image) => ({ ref: image.ref, baseFingerprint: image.fingerprint, preparedFingerprint: undefined, installedVersion: undefined, reused: false, preparationSeconds: 0 }));
    return { images: upgraded, record: record(build, 'upgrade', prepared, input.tree), upgrade: upgradeFlow(build), summary: `upgrade each case from the image's own cloud-init to ${describeBuild(build)}${fromTree(input.tree)}` };
  }

  const cellImages: CellImage[] = [];
  const prepared: PreparedImageRecord[] = [];
  for (const [index, image] of images.entries()) {
    const base = await platform.resolveImage(image.fingerprint);
    const result = await prepareImage({
      platform,
      base,
      baseRef: image.ref,
      build,
      tree: input.tree,
      instanceName: instanceName(runId, 0, `prepare-${index + 1}`),
      labels: { ...runLabels({ runId, runDir: input.runDir }), [LABEL_ROLE]: 'prepare', [LABEL_IMAGE]: image.ref },
      accessKey: input.accessKey,
      signal,
      say,
    });
    cellImages.push({
      ref: image.ref,
      fingerprint: result.image.fingerprint,
      cloudInitVersion: result.installedVersion,
      build: { kind: build.kind, flow: 'prepared', baseFingerprint: base.fingerprint },
    });
    prepared.push({
      ref: image.ref,
      baseFingerprint: base.fingerprint,
      preparedFingerprint: result.image.fingerprint,
      installedVersion: result.installedVersion,
      reused: result.reused,
      preparationSeconds: Math.round(result.seconds * 10) / 10,
      extraPackages: result.extraPackages,
    });
  }
  const summary = prepared
    .map((entry) => `${entry.ref} → prepared ${entry.preparedFingerprint?.slice(0, 12)} with cloud-init ${entry.installedVersion ?? '?'}${withExtras(entry)} (${entry.reused ? 'reused' : `made in ${entry.preparationSeconds} s`})`)
    .join('; ');
  return { images: cellImages, record: record(build, 'prepared', prepared, input.tree), upgrade: undefined, summary: `${summary}${fromTree(input.tree)}` };
}

function fromTree(tree: SourceTreeRecord | undefined): string {
  if (tree === undefined) return '';
  return `, built from ${tree.describe ?? `a tree without git (files ${tree.identity.slice(0, 12)})`}`;
}

function withExtras(entry: PreparedImageRecord): string {
  const extras = entry.extraPackages ?? [];
  return extras.length === 0 ? '' : ` + ${extras.map((extra) => `${extra.package} ${extra.version}`).join(', ')}`;
}

function record(build: InstallableBuild, flow: 'prepared' | 'upgrade', images: readonly PreparedImageRecord[], tree: SourceTreeRecord | undefined): BuildRecord {
  const source = build.kind === 'repo' ? build.line.text : build.kind === 'source' ? build.dir : build.debs.map((deb) => deb.path).join(',');
  const artifacts = build.kind === 'repo' ? [] : build.debs.map((deb) => ({ path: deb.path, sha256: deb.sha256, package: deb.package, version: deb.version }));
  return { kind: build.kind, flow, source, artifacts, images, ...(tree === undefined ? {} : { tree }) };
}
