import { UsageError } from '../../core/errors.js';
import type { PlatformDriver } from '../types.js';
import { FAKE_CAPABILITIES } from './capabilities.js';
import type { FakeFlaws } from './flaws.js';
import { FakePlatform } from './platform.js';

export interface FakeDriverSpec {
  readonly name: string;
  readonly description: string;
  readonly flaws: FakeFlaws;
}

/** The fake's PlatformDriver, sound or (for the conformance suite's own tests) with flaws. */
export function fakeDriver(spec: FakeDriverSpec): PlatformDriver {
  return {
    name: spec.name,
    description: spec.description,
    capabilities: FAKE_CAPABILITIES,
    create: (options) => {
      const [unknown] = Object.keys(options.settings);
      if (unknown !== undefined) throw new UsageError(`the ${spec.name} platform has no setting "${unknown}"`, 'it takes no --platform-option');
      return new FakePlatform({ name: spec.name, stateDir: options.stateDir, flaws: spec.flaws });
    },
    setupSteps: () => [],
  };
}
