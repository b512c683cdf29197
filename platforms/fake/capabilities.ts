import { KNOWN_CAPABILITIES, type KnownCapability } from '../../core/capabilities.js';

/** Every known capability but `ssh`: the fake's exec is in-process, it has no network to reach. */
export const FAKE_CAPABILITIES: readonly KnownCapability[] = (Object.keys(KNOWN_CAPABILITIES) as KnownCapability[]).filter((capability) => capability !== 'ssh');
