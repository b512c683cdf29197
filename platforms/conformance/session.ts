import { randomBytes } from 'node:crypto';
import { HarnessError, isHarnessError } from '../../core/errors.js';
import { instanceName, LABEL_ROLE, LABEL_RUN, newRunId } from '../../core/run-id.js';
import { runLabels } from '../../core/run-owner.js';
import type { DriverChoice } from '../registry.js';
import type { AccessKey, ExecResult, ExecSpec, ImageInfo, Instance, Labels, LaunchSpec, Platform, PlatformDriver, PlatformOptions } from '../types.js';

/** LABEL_ROLE's value on everything the suite launches. */
export const ROLE_CONFORMANCE = 'conformance';
/** Unique per launch, so that a rule can look for exactly one instance. */
export const LABEL_PROBE = 'cloudproof.probe';

/** The alias the publish rule gives its image; a leftover one says which run made it. */
export function conformanceImageAlias(runId: string): string {
  return `cloudproof/conformance/${runId}`;
}

/** What the standard gives a fresh instance to get ready and run cloud-init, before bootTimeoutFactor. */
export const BOOT_BUDGET_MS = 120_000;

/** How a rule says it does not hold: its message is the detail a person reads. */
export class RuleViolation extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'RuleViolation';
  }
}

export function check(condition: boolean, detail: string | (() => string)): asserts condition {
  if (!condition) throw new RuleViolation(typeof detail === 'string' ? detail : detail());
}

/** One line for a detail: the code says which kind of error a driver threw, which is itself under test. */
export function describeError(error: unknown): string {
  if (error instanceof RuleViolation) return error.message;
  if (isHarnessError(error)) return `${error.code}: ${error.oneLine()}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export function nonce(): string {
  return randomBytes(6).toString('hex');
}

/** Short enough for a detail line, with the bytes that are not text made visible. */
export function excerpt(bytes: Buffer | string, max = 160): string {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

export type Settled<T> = { readonly state: 'resolved'; readonly value: T } | { readonly state: 'rejected'; readonly error: unknown } | { readonly state: 'pending' };

/** How `work` stands after at most `ms`; work still pending then goes on unobserved (its rejection is handled). */
export function settleWithin<T>(work: Promise<T>, ms: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ state: 'pending' }), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve({ state: 'resolved', value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ state: 'rejected', error });
      },
    );
  });
}

export interface SessionInput {
  readonly driver: PlatformDriver;
  readonly choice: DriverChoice;
  readonly options: PlatformOptions;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal | undefined;
}

/** A launched instance that got ready, with what it was launched with. */
export interface Booted {
  readonly instance: Instance;
  readonly labels: Labels;
  readonly probe: string;
  readonly userData: string;
  readonly readyMs: number;
  /** `cloud-init status --wait`, run once ready, for the rules to judge. */
  readonly cloudInit: { readonly exitCode: number; readonly stdout: string; readonly ms: number } | { readonly error: string };
}

export interface DataBooted extends Booted {
  readonly vendorNonce: string;
  readonly metaNonce: string;
}

type LaunchData = Pick<LaunchSpec, 'userData' | 'vendorData' | 'metaData' | 'networkConfig' | 'files' | 'transport'> & { readonly imageFingerprint?: string };

/** A version 1 network configuration naming an interface no guest has: it is applied, and brings nothing up. */
export const PROBE_INTERFACE = 'cpconf0';
const PROBE_NETWORK_CONFIG = `version: 1
config:
  - type: physical
    name: ${PROBE_INTERFACE}
    subnets:
      - type: manual
`;

/**
 * Everything one conformance run has made and shares between rules: the platform, the
 * instances launched once for several rules, and the record of what to remove at the end.
 */
export class Session {
  readonly runId: string;
  readonly platform: Platform;
  readonly image: ImageInfo;
  readonly accessKey: AccessKey;
  readonly input: SessionInput;
  private readonly runIds: string[];
  private readonly names = new Set<string>();
  private readonly images = new Set<string>();
  private readonly imageAliases = new Set<string>();
  private launches = 0;
  private main: Promise<Booted> | undefined;
  private data: Promise<DataBooted> | undefined;

  constructor(platform: Platform, image: ImageInfo, accessKey: AccessKey, input: SessionInput) {
    this.platform = platform;
    this.image = image;
    this.accessKey = accessKey;
    this.input = input;
    this.runId = newRunId(new Date());
    this.runIds = [this.runId];
  }

  /** Its own run id first, then those it made up for instances of killed runs. */
  get runIdsUsed(): readonly string[] {
    return [...this.runIds];
  }

  /**
   * limits.bootTimeoutFactor where it is sane; 1 where it is not, which limits.declared
   * reports, so that one wrong number fails one rule and not every timed one.
   */
  get timeFactor(): number {
    const factor = this.platform.limits.bootTimeoutFactor;
    return Number.isFinite(factor) && factor >= 1 ? factor : 1;
  }

  get bootTimeoutMs(): number {
    return BOOT_BUDGET_MS * this.timeFactor;
  }

  /** A second run id, for instances that stand for another run's (its instances are removed at the end too). */
  anotherRunId(): string {
    let id = newRunId(new Date());
    while (this.runIds.includes(id)) id = newRunId(new Date());
    this.runIds.push(id);
    return id;
  }

  labels(probe: string, runId: string = this.runId): Labels {
    return { ...runLabels({ runId }), [LABEL_ROLE]: ROLE_CONFORMANCE, [LABEL_PROBE]: probe };
  }

  /** Recorded before anything is launched under it, so that cleanup tries it even when the launch fails. */
  newName(slug: string, runId: string = this.runId): string {
    const name = instanceName(runId, this.launches++, `conformance-${slug}`);
    this.names.add(name);
    return name;
  }

  trackImage(fingerprint: string): void {
    this.images.add(fingerprint);
  }

  trackImageAlias(alias: string): void {
    this.imageAliases.add(alias);
  }

  async launch(slug: string, data: LaunchData): Promise<{ readonly instance: Instance; readonly labels: Labels; readonly probe: string }> {
    const probe = nonce();
    const labels = this.labels(probe);
    const name = this.newName(slug);
    this.input.log(`launching ${name}`);
    const instance = await this.platform.launch({
      ...data,
      name,
      imageFingerprint: data.imageFingerprint ?? this.image.fingerprint,
      accessKey: this.accessKey,
      labels,
      signal: this.input.signal,
    });
    return { instance, labels, probe };
  }

  /**
   * Launch, readiness, then cloud-init's own wait, the way a run boots a cell. A failure
   * here is every dependent rule's detail, so it says which instance.
   */
  async boot(slug: string, data: LaunchData): Promise<Booted> {
    try {
      const { instance, labels, probe } = await this.launch(slug, data);
      const started = performance.now();
      const ready = await settleWithin(
        this.platform.readiness.waitUntilReady(instance, { timeoutMs: this.bootTimeoutMs, signal: this.input.signal }),
        // Beyond its own timeout a wait that has not settled ignores it; give up on it then.
        this.bootTimeoutMs + 30_000,
      );
      if (ready.state === 'rejected') throw ready.error;
      check(ready.state === 'resolved', `waitUntilReady ignored its timeoutMs of ${this.bootTimeoutMs} ms`);
      const readyMs = performance.now() - started;
      this.input.log(`${instance.name} ready in ${(readyMs / 1000).toFixed(1)} s; waiting for cloud-init`);
      const cloudInitStarted = performance.now();
      let cloudInit: Booted['cloudInit'];
      try {
        const result = await this.exec(instance, ['cloud-init', 'status', '--wait'], { timeoutMs: this.bootTimeoutMs });
        cloudInit = { exitCode: result.exitCode, stdout: result.stdout.toString('utf8'), ms: performance.now() - cloudInitStarted };
      } catch (error) {
        cloudInit = { error: describeError(error) };
      }
      return { instance, labels, probe, userData: data.userData, readyMs, cloudInit };
    } catch (error) {
      if (this.input.signal?.aborted) throw error;
      throw new RuleViolation(`the ${slug} instance did not get ready: ${describeError(error)}`);
    }
  }

  /** The instance most rules share: plain user-data with a unique comment. */
  mainInstance(): Promise<Booted> {
    this.main ??= this.boot('main', { userData: `#cloud-config\n# cloudproof conformance ${this.runId} ${nonce()}\n` });
    return this.main;
  }

  /** One instance for every declared datasource channel beyond user-data, launched with all of them at once. */
  dataInstance(): Promise<DataBooted> {
    this.data ??= (async () => {
      const offered = new Set<string>(this.input.driver.capabilities);
      const vendorNonce = nonce();
      const metaNonce = nonce();
      const booted = await this.boot('data', {
        userData: `#cloud-config\n# cloudproof conformance ${this.runId} data ${nonce()}\n`,
        ...(offered.has('vendor-data') ? { vendorData: `#cloud-config\n# ${vendorNonce}\n` } : {}),
        ...(offered.has('meta-data') ? { metaData: { cloudproof_probe: metaNonce } } : {}),
        ...(offered.has('network-config') ? { networkConfig: PROBE_NETWORK_CONFIG } : {}),
      });
      return { ...booted, vendorNonce, metaNonce };
    })();
    return this.data;
  }

  /** Every exec a rule does not time itself is bounded, so that a hung transport fails one rule and not the suite. */
  exec(instance: Instance, command: readonly string[], spec: Omit<ExecSpec, 'command'> = {}): Promise<ExecResult> {
    return instance.exec({ timeoutMs: 60_000, signal: this.input.signal, ...spec, command });
  }

  /**
   * Removes everything this run made, whatever the rules left: by name, then by the run
   * labels (which also finds what a leaky launch left under a name it chose), then images.
   * Never interrupted by the signal: an interrupted run is exactly when cleanup matters.
   * Returns one line for each thing that could not be removed.
   */
  async cleanup(): Promise<string[]> {
    const failures: string[] = [];
    const attempt = async (what: string, work: () => Promise<unknown>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        failures.push(`${what}: ${describeError(error)}`);
      }
    };
    const doomed = new Set(this.names);
    for (const runId of this.runIds) {
      await attempt(`listing run ${runId}'s instances`, async () => {
        for (const found of await this.platform.listByLabel({ [LABEL_RUN]: runId })) doomed.add(found.name);
      });
    }
    for (const name of doomed) await attempt(`destroying ${name}`, () => this.platform.destroy(name));
    for (const runId of this.runIds) {
      await attempt(`checking run ${runId} left nothing`, async () => {
        const left = await this.platform.listByLabel({ [LABEL_RUN]: runId });
        if (left.length > 0) throw new HarnessError('PLATFORM_API', `still there after destroy: ${left.map((found) => found.name).join(', ')}`);
      });
    }
    for (const alias of this.imageAliases) {
      await attempt(`finding image ${alias}`, async () => {
        const image = await this.platform.findImage(alias);
        if (image !== undefined) this.images.add(image.fingerprint);
      });
    }
    for (const fingerprint of this.images) await attempt(`deleting image ${fingerprint}`, () => this.platform.deleteImage(fingerprint));
    for (const failure of failures) this.input.log(`cleanup: ${failure}`);
    return failures;
  }
}
