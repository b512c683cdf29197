/**
 * Deliberate breaches of the platform contract, each one a mistake a real driver could
 * make, so that the conformance suite can be shown to catch it (platforms/fake/broken/).
 */
export interface FakeFlaws {
  /** A launch that fails after creating its instance leaves the instance's record behind. */
  readonly leakyLaunch?: boolean;
  /** restart() returns at once, trusting the platform's "running again", while the old boot still runs. */
  readonly staleRestart?: boolean;
  /** LaunchSpec.files are written once the instance has started, as a driver pushing after its start would: too late for cloud-init. */
  readonly latePrebootFiles?: boolean;
}
