import { HarnessError } from '../core/errors.js';
import type { PlatformLimits } from './types.js';

export interface LaunchRequest {
  readonly userData: string;
  /** Names the launch in the error, e.g. `case users-groups`. */
  readonly what: string;
}

/**
 * Refuses, before anything is created, a launch the platform would refuse later (or,
 * worse, truncate): the run loop calls it for every cell, so that an oversized case fails
 * as bad input in the plan and not as a platform error after minutes of booting others.
 */
export function checkLaunchLimits(limits: PlatformLimits, request: LaunchRequest): void {
  const limit = limits.userDataBytes;
  if (limit === undefined) return;
  const size = Buffer.byteLength(request.userData, 'utf8');
  if (size > limit) {
    throw new HarnessError('LIMIT_EXCEEDED', `${request.what}: user-data is ${size} bytes, the platform takes at most ${limit}`, {
      hint: 'shorten the user-data, or run it on a platform that takes more',
    });
  }
}
