import { join } from 'node:path';
import { silentObserver } from '../harness/run/observer.js';
import { runHarness, type RunOptions, type RunResult } from '../harness/run/run-loop.js';
import type { Platform } from '../platforms/types.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'cases');

/** A run of the basic fixture cases on debian/bookworm with results under `workDir`, quiet: what the unit tests vary from. */
export function runOn(platform: Platform, workDir: string, overrides: Partial<RunOptions> = {}): Promise<RunResult> {
  return runHarness({
    platform,
    imageRefs: ['debian/bookworm'],
    testcaseDirs: [join(FIXTURES, 'basic')],
    expectationFiles: [],
    imageCacheDir: join(workDir, 'no-image-cache'),
    selection: { grep: undefined, tags: [], excludeTags: [] },
    keepFailed: false,
    resultsDir: workDir,
    startedBy: { kind: 'cli', argv: [] },
    signal: new AbortController().signal,
    observer: silentObserver,
    reporterOutput: 'none',
    ...overrides,
  });
}
