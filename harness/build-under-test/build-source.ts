/**
 * What `--build` names, parsed but not yet checked against the disk. A union, so that a
 * later `rpm:` is one more member and every switch over `kind` fails to compile until it
 * handles it.
 */
export type BuildSource =
  | { readonly kind: 'none' }
  /** One or more .deb files installed together (the build plus packages it needs that the image lacks). */
  | { readonly kind: 'deb'; readonly paths: readonly string[] }
  /** A source tree, built on the host the way its packaging says. */
  | { readonly kind: 'source'; readonly dir: string }
  /** An apt source line; the instance installs cloud-init from it, pinned above the image's own archive. */
  | { readonly kind: 'repo'; readonly line: AptSourceLine };

export type BuildKind = Exclude<BuildSource['kind'], 'none'>;

/** A one-line-style apt source (sources.list(5)): `deb [options] uri suite [component...]`. */
export interface AptSourceLine {
  readonly text: string;
  readonly uri: string;
  readonly suite: string;
  readonly components: readonly string[];
}

/** A .deb as checked on the host: what it is, and the hash that names it. */
export interface DebArtifact {
  readonly path: string;
  readonly sha256: string;
  readonly package: string;
  readonly version: string;
}

/** A build ready to install: every file exists, is what it claims to be, and is hashed. */
export type ResolvedBuild =
  | { readonly kind: 'none' }
  | { readonly kind: 'deb'; readonly debs: readonly DebArtifact[] }
  | { readonly kind: 'source'; readonly dir: string; readonly debs: readonly DebArtifact[] }
  | { readonly kind: 'repo'; readonly line: AptSourceLine; readonly sha256: string };

export type InstallableBuild = Exclude<ResolvedBuild, { readonly kind: 'none' }>;

/** The package whose version the cases' `requires.cloud_init` is about. */
export const CLOUD_INIT_PACKAGE = 'cloud-init';
