import type { TestCase } from '../../testcases/case.js';
import { cloudInitSatisfies } from '../../testcases/cloud-init-version.js';
import type { Capability } from '../../platforms/types.js';
import type { CellImage } from '../../results-schema/cell-record.js';

export interface Selection {
  readonly grep: RegExp | undefined;
  readonly tags: readonly string[];
  readonly excludeTags: readonly string[];
}

/** The cases a user asked for: every --tag must match (any of them), no --exclude-tag may. */
export function selectCases(cases: readonly TestCase[], selection: Selection): TestCase[] {
  return cases.filter((testCase) => {
    if (selection.grep && !selection.grep.test(testCase.name) && !selection.grep.test(testCase.description)) return false;
    if (selection.tags.length > 0 && !selection.tags.some((tag) => testCase.tags.includes(tag))) return false;
    return !selection.excludeTags.some((tag) => testCase.tags.includes(tag));
  });
}

/** Why a case cannot run on this platform and image, or undefined when it can. */
export function skipReason(testCase: TestCase, platform: { name: string; capabilities: ReadonlySet<Capability> }, image: CellImage): string | undefined {
  const { requires } = testCase;
  if (requires.platforms && !requires.platforms.includes(platform.name)) {
    return `runs only on ${requires.platforms.join(', ')}, not ${platform.name}`;
  }
  const missing = requires.capabilities.filter((capability) => !platform.capabilities.has(capability));
  if (missing.length > 0) return `needs ${missing.join(', ')}, which the ${platform.name} platform does not offer`;
  if (requires.cloudInit) {
    const satisfied = image.cloudInitVersion === undefined ? undefined : cloudInitSatisfies(image.cloudInitVersion, requires.cloudInit);
    if (satisfied === undefined) return `needs cloud-init ${requires.cloudInit}; ${image.ref} does not record its cloud-init version`;
    if (!satisfied) return `needs cloud-init ${requires.cloudInit}; ${image.ref} has ${image.cloudInitVersion}`;
  }
  return undefined;
}
