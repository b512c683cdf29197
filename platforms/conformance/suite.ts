import { readFileSync } from 'node:fs';
import { generateAccessKey } from '../../core/access-key.js';
import { AbortedError, UsageError } from '../../core/errors.js';
import { builtImageAlias } from '../../core/image-names.js';
import type { DriverChoice } from '../registry.js';
import type { ImageInfo, Platform, PlatformDriver, PlatformOptions } from '../types.js';
import { CHECKS } from './checks.js';
import { RESULT_FORMAT, type ConformanceResult, type RuleResult } from './results.js';
import { isRuleId, RULES, type RuleInfo } from './rules.js';
import { describeError, RuleViolation, Session } from './session.js';

export interface ConformanceInput {
  readonly driver: PlatformDriver;
  /** How this process got `driver`, so that a child process can load the same one. */
  readonly choice: DriverChoice;
  readonly options: PlatformOptions;
  /** An image to launch: `debian/bookworm` names the harness's build of it; any other ref is resolved as given. */
  readonly image: string;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Rule ids to check; all when absent. */
  readonly only?: readonly string[];
  /** Told each rule's result as it is decided, in order. */
  readonly onResult?: (result: RuleResult) => void;
}

/**
 * A rule gets this long (times bootTimeoutFactor) before it is failed, so that a hung call
 * fails one rule and not the run: long, because a cloud's publish (an EC2 AMI) takes minutes.
 */
const RULE_BUDGET_MS = 15 * 60_000;

/**
 * Checks a driver against the platform standard on the real platform, through the
 * contract alone, and removes everything it made even when a rule fails. Throws only when
 * the platform cannot be used at all (it does not connect, the image is not there) or the
 * run is interrupted; a rule that does not hold is a result.
 */
export async function runConformance(input: ConformanceInput): Promise<ConformanceResult> {
  const rules = selectRules(input.only);
  const log = input.log ?? ((): void => undefined);
  const startedAt = new Date().toISOString();
  const platform = input.driver.create(input.options);
  try {
    await platform.connect();
    const description = await platform.describe();
    const image = await resolveImage(platform, input.image);
    log(`conformance of ${input.driver.name} (${description.summary}) with ${image.ref} ${image.fingerprint.slice(0, 12)}`);
    const session = new Session(platform, image, generateAccessKey(`cloudproof-conformance@${input.driver.name}`), {
      driver: input.driver,
      choice: input.choice,
      options: input.options,
      log,
      signal: input.signal,
    });
    const results: RuleResult[] = [];
    let cleanupFailures: readonly string[];
    try {
      for (const rule of rules) {
        if (input.signal?.aborted) break;
        const result = await decide(rule, session, input);
        // An interrupted rule did not fail: it was not let finish.
        if (input.signal?.aborted) break;
        results.push(result);
        input.onResult?.(result);
      }
    } finally {
      cleanupFailures = await session.cleanup();
    }
    if (input.signal?.aborted) throw new AbortedError('the conformance suite');
    return {
      format: RESULT_FORMAT,
      driver: input.driver.name,
      runIds: session.runIdsUsed,
      ...(input.choice.module === undefined ? {} : { module: input.choice.module }),
      harnessVersion: packageVersion(),
      startedAt,
      finishedAt: new Date().toISOString(),
      image: { ref: image.ref, fingerprint: image.fingerprint },
      capabilities: [...input.driver.capabilities],
      limits: platform.limits,
      platform: description,
      rules: results,
      cleanupFailures,
    };
  } finally {
    try {
      await platform.close();
    } catch (error) {
      log(`closing the platform: ${describeError(error)}`);
    }
  }
}

function selectRules(only: readonly string[] | undefined): readonly RuleInfo[] {
  if (only === undefined) return RULES;
  const unknown = only.filter((id) => !isRuleId(id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown conformance rule ${unknown.map((id) => `"${id}"`).join(', ')}`, `rules: ${RULES.map((rule) => rule.id).join(', ')}`);
  }
  return RULES.filter((rule) => only.includes(rule.id));
}

async function resolveImage(platform: Platform, ref: string): Promise<ImageInfo> {
  return (await platform.findImage(builtImageAlias(ref))) ?? platform.resolveImage(ref);
}

async function decide(rule: RuleInfo, session: Session, input: ConformanceInput): Promise<RuleResult> {
  const base = { id: rule.id, title: rule.title, ...(rule.capability === undefined ? {} : { capability: rule.capability }) };
  if (rule.capability !== undefined && !input.driver.capabilities.includes(rule.capability)) return { ...base, outcome: 'not-declared', ms: 0 };
  if (rule.uncheckedBecause !== undefined) return { ...base, outcome: 'unchecked', detail: rule.uncheckedBecause, ms: 0 };
  const run = CHECKS[rule.id as keyof typeof CHECKS];
  const budgetMs = RULE_BUDGET_MS * session.timeFactor;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new RuleViolation(`did not finish within ${Math.round(budgetMs / 1000)} s`)), budgetMs);
  const signal = input.signal === undefined ? deadline.signal : AbortSignal.any([input.signal, deadline.signal]);
  const started = performance.now();
  try {
    const detail = await untilAborted(run(session, signal), signal);
    return { ...base, outcome: 'passed', ...(detail === undefined ? {} : { detail }), ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ...base, outcome: 'failed', detail: describeError(error), ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/** A rule that ignores its signal is still given up on when it aborts; what it goes on doing is cleaned up at the end. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new AbortedError('the conformance rule'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The harness version is the package's; read here because the suite is part of the package's public API and imports nothing of harness/. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
