/**
 * What a test says one fake instance does, chosen per launch by FakePlatform's
 * `behaviourOf`. Everything is optional: the default is a clean, instant boot.
 */
export interface FakeBehaviour {
  /** How long after each boot starts `cloud-init status --wait` returns. */
  readonly bootMs?: number;
  /** cloud-init never finishes (a hung boot): the wait ends only by its timeout or abort. */
  readonly bootHangs?: boolean;
  /** The platform fails to start the instance (PLATFORM_API); nothing is left behind. */
  readonly launchFails?: boolean;
  /** What cloud-init reports (`done` unless said; `error` makes `status --wait` exit 1). */
  readonly status?: string;
  /** cloud-init ≥ 23.4 repeats WARNING lines here: level → messages */
  readonly recoverableErrors?: Readonly<Record<string, readonly string[]>>;
  /** /var/log/cloud-init.log instead of the clean one the guest writes. */
  readonly log?: string;
  /** Collector or case command name → its stdout in the harvest (exit code 0). */
  readonly outputs?: Readonly<Record<string, string>>;
  /** Guest path → content: written into the guest at launch and harvested with cloud-init.log. */
  readonly files?: Readonly<Record<string, string>>;
  /** The harvest script (`sh -s`) exits 1 printing nothing, as one whose shell died would. */
  readonly harvestFails?: boolean;
}
