/**
 * What a platform driver in another package needs, as `cloudproof/platform`: the
 * contract, the errors it throws, the capability names, the shared readiness and restart
 * pieces, the limit check, the access key, the SSH transport for a driver that reaches
 * its guests over SSH, and the conformance suite that proves it.
 * docs/platforms.md is the standard behind each.
 */
export type * from './types.js';
export { DRIVER_CAPABILITY_PATTERN, isCapability, isKnownCapability, KNOWN_CAPABILITIES } from '../core/capabilities.js';
export {
  AbortedError,
  EXIT_BAD_INPUT,
  EXIT_ENVIRONMENT,
  ExecTimeoutError,
  HarnessError,
  isHarnessError,
  UsageError,
  type ErrorCode,
  type KnownErrorCode,
} from '../core/errors.js';
export { generateAccessKey } from '../core/access-key.js';
export { IMAGE_ALIAS_PREFIX, IMAGE_PROPERTY } from '../core/image-names.js';
export { LABEL_CASE, LABEL_EXPIRES, LABEL_IMAGE, LABEL_MANAGED, LABEL_OWNER, LABEL_RESULTS, LABEL_ROLE, LABEL_RUN } from '../core/run-id.js';
export { checkLaunchLimits } from './limits.js';
export * from './wait/index.js';
export * from './ssh/index.js';
export * from './conformance/index.js';
