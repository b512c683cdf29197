import { HarnessError } from '../../core/errors.js';
import type { Capability } from '../types.js';

/**
 * A FakePlatform made without a capability behaves as a platform that lacks it: the
 * methods and LaunchSpec fields that need it are refused, so a caller that forgot to
 * check the capability fails here instead of passing on a fake that is kinder than
 * the real platform.
 */
export function requireCapability(capabilities: ReadonlySet<Capability>, capability: Capability, what: string): void {
  if (!capabilities.has(capability)) {
    throw new HarnessError('NOT_SUPPORTED', `${what} needs the capability '${capability}', which this fake platform was made without`);
  }
}
