import semver from 'semver';

/**
 * Whether a cloud-init version as a package reports it satisfies a semver range. Package
 * versions are not semver (`22.4.2-1+deb12u4`, `25.1~3g1a2b-0ubuntu1`), so the version is
 * coerced to its release first; undefined when it has none.
 */
export function cloudInitSatisfies(version: string, range: string): boolean | undefined {
  const release = semver.coerce(version);
  return release === null ? undefined : semver.satisfies(release, range);
}

/** A one-line reason why `range` is not a version range, or undefined when it is. */
export function badVersionRange(range: string): string | undefined {
  return semver.validRange(range) === null ? `"${range}" is not a version range (write it like ">=23.4" or "<25.3")` : undefined;
}
