import type { DriverChoice } from '../registry.js';
import type { LaunchSpec, PlatformOptions } from '../types.js';

/**
 * What the parent of gc.finds-killed-run hands its child, as one JSON line on stdin. The
 * child keeps stdin open: when it closes, the parent is gone and the child leaves too.
 */
export interface KilledRunRequest {
  readonly choice: DriverChoice;
  /** Where a relative `--platform-module` is found from. */
  readonly cwd: string;
  readonly options: PlatformOptions;
  readonly launch: Omit<LaunchSpec, 'signal'>;
}

/** The child prints it, then the instance's name, once its launch has returned. */
export const LAUNCHED = 'cloudproof-conformance: launched';
