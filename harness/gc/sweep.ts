import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LABEL_EXPIRES, LABEL_MANAGED, LABEL_OWNER, LABEL_RESULTS, LABEL_RUN } from '../../core/run-id.js';
import { ownerState, parseOwner, type Owner, type OwnerState } from '../../core/run-owner.js';
import { HarnessError } from '../../core/errors.js';
import type { InstanceSummary, Platform } from '../../platforms/types.js';
import { RUN_FILE } from '../../results-schema/layout.js';
import { writeManifest, type RunManifest } from '../../results-schema/run-manifest.js';

/**
 * Garbage collection of instances by run, safe with several runs (or CI workers) on one
 * machine: a run's instances go only when the run is gone — its owner process no longer
 * runs on this host, or its expiry passed — or when asked for by run id. Used by
 * `harness gc`, before every `harness run`, and callable by a worker as it is.
 */

export interface SweepOptions {
  readonly platform: Platform;
  /** This run's instances, whatever their owner: an explicit request. */
  readonly run?: string;
  /** Also instances without an owner label (made by a harness before owner labels), which cannot be told live. */
  readonly all?: boolean;
  readonly dryRun?: boolean;
  /** What expiries are judged against; the clock unless said. */
  readonly now?: Date;
}

/** Why a run's instances go or stay, as gc says it. */
export type RunStanding =
  | { readonly kind: 'asked' }
  | { readonly kind: 'expired'; readonly expires: string }
  | { readonly kind: 'owner-gone'; readonly owner: Owner }
  | { readonly kind: 'owner-running'; readonly owner: Owner }
  | { readonly kind: 'other-host'; readonly owner: Owner; readonly expires: string | undefined }
  | { readonly kind: 'unowned'; readonly all: boolean };

export interface RunDecision {
  readonly runId: string;
  readonly instances: readonly InstanceSummary[];
  readonly remove: boolean;
  readonly standing: RunStanding;
  /** The run folder whose run.json, still `running`, becomes `abandoned` once the instances are removed. */
  readonly abandon: string | undefined;
}

export interface SweepResult {
  readonly decisions: readonly RunDecision[];
  /** Instance names removed (in a dry run: that would be). */
  readonly removed: readonly string[];
  /** run.json files rewritten as `abandoned` (in a dry run: that would be, if still `running`). */
  readonly abandoned: readonly string[];
  readonly failures: readonly { readonly instance: string; readonly message: string }[];
  /** Things a person should know that are not failures: a run.json that could not be read or rewritten. */
  readonly notes: readonly string[];
}

export async function sweepRuns(options: SweepOptions): Promise<SweepResult> {
  const { platform } = options;
  const now = options.now ?? new Date();
  const found = await platform.listByLabel(options.run === undefined ? { [LABEL_MANAGED]: 'true' } : { [LABEL_RUN]: options.run });
  const decisions = decideRuns(found, { explicit: options.run !== undefined, all: options.all ?? false, now, host: hostname() });
  const removed: string[] = [];
  const abandoned: string[] = [];
  const failures: { instance: string; message: string }[] = [];
  const notes: string[] = [];
  for (const decision of decisions.filter((each) => each.remove)) {
    let allRemoved = true;
    for (const instance of decision.instances) {
      if (options.dryRun) {
        removed.push(instance.name);
        continue;
      }
      try {
        await platform.destroy(instance.name);
        removed.push(instance.name);
      } catch (error) {
        allRemoved = false;
        failures.push({ instance: instance.name, message: messageOf(error) });
      }
    }
    // A run.json marked while an instance stays would hide the run from the next gc's retry.
    if (decision.abandon === undefined || !allRemoved) continue;
    const marked = await markAbandoned(decision.abandon, now.toISOString(), options.dryRun ?? false);
    if (marked.kind === 'marked') abandoned.push(marked.path);
    if (marked.kind === 'failed') notes.push(`could not mark ${marked.path} abandoned: ${marked.message}`);
  }
  return { decisions, removed, abandoned, failures, notes };
}

/**
 * The sweep before a run launches anything: gone runs only (never a live run's, never one
 * without owner labels). A leftover it cannot remove is said, not thrown: it is no reason
 * for this run to fail.
 */
export async function sweepGoneRuns(platform: Platform, say: (line: string) => void): Promise<SweepResult> {
  const result = await sweepRuns({ platform });
  const gone = result.decisions.filter((decision) => decision.remove);
  if (gone.length > 0) say(`removed ${result.removed.length} instance(s) of ${gone.length} run(s) gone before: ${gone.map((decision) => `${decision.runId} (${describeStanding(decision.standing)})`).join('; ')}`);
  for (const path of result.abandoned) say(`marked ${path} abandoned`);
  for (const failure of result.failures) say(`could not remove ${failure.instance}, left by a gone run: ${failure.message} (run \`npx harness gc\` later)`);
  for (const note of result.notes) say(note);
  return result;
}

/** Throws the failures of a sweep as one error, for callers that must not go on after them (`harness gc`). */
export function throwOnFailures(result: SweepResult): void {
  if (result.failures.length === 0) return;
  throw new HarnessError('PLATFORM_API', `could not remove ${result.failures.length} instance(s): ${result.failures.map((failure) => `${failure.instance}: ${failure.message}`).join('; ')}`, {
    hint: 'run `npx harness gc` again; if it keeps failing, remove them with the platform\'s own tools',
  });
}

export function describeStanding(standing: RunStanding): string {
  switch (standing.kind) {
    case 'asked':
      return 'asked for with --run';
    case 'expired':
      return `expired at ${standing.expires}`;
    case 'owner-gone':
      return `its owner, process ${standing.owner.pid} on this host, is gone`;
    case 'owner-running':
      return `its owner, process ${standing.owner.pid} on this host, is still running`;
    case 'other-host':
      return `its owner runs on ${standing.owner.host}${standing.expires === undefined ? '' : ` (it expires at ${standing.expires})`}`;
    case 'unowned':
      return standing.all ? 'no owner label, removed with --all' : 'no owner label (made before owner labels): pass --all or --run <id> to remove it';
  }
}

interface DecideContext {
  readonly explicit: boolean;
  readonly all: boolean;
  readonly now: Date;
  readonly host: string;
}

/** One decision per run: a run's instances go or stay together. */
function decideRuns(instances: readonly InstanceSummary[], context: DecideContext): RunDecision[] {
  const byRun = new Map<string, InstanceSummary[]>();
  for (const instance of instances) {
    const runId = instance.labels[LABEL_RUN] ?? '?';
    byRun.set(runId, [...(byRun.get(runId) ?? []), instance]);
  }
  return [...byRun].map(([runId, group]) => decideRun(runId, group, context));
}

function decideRun(runId: string, instances: readonly InstanceSummary[], context: DecideContext): RunDecision {
  const owner = firstDefined(instances, (instance) => parseOwner(instance.labels[LABEL_OWNER] ?? ''));
  const resultsDir = firstDefined(instances, (instance) => instance.labels[LABEL_RESULTS]);
  const expires = earliestExpiry(instances);
  const expired = expires !== undefined && expires.getTime() <= context.now.getTime();
  const state: OwnerState | undefined = owner === undefined ? undefined : ownerState(owner, context.host);
  // Only a run of this host has its run.json here, and only one whose owner cannot write its end any more.
  const abandon = state === 'gone' || (state === 'running' && expired) ? resultsDir : undefined;
  const decision = (remove: boolean, standing: RunStanding): RunDecision => ({ runId, instances, remove, standing, abandon: remove ? abandon : undefined });

  if (context.explicit) return decision(true, { kind: 'asked' });
  if (owner === undefined) return decision(context.all, { kind: 'unowned', all: context.all });
  if (expired) return decision(true, { kind: 'expired', expires: expires.toISOString() });
  if (state === 'elsewhere') return decision(false, { kind: 'other-host', owner, expires: expires?.toISOString() });
  return state === 'gone' ? decision(true, { kind: 'owner-gone', owner }) : decision(false, { kind: 'owner-running', owner });
}

function firstDefined<T>(instances: readonly InstanceSummary[], pick: (instance: InstanceSummary) => T | undefined): T | undefined {
  for (const instance of instances) {
    const value = pick(instance);
    if (value !== undefined) return value;
  }
  return undefined;
}

function earliestExpiry(instances: readonly InstanceSummary[]): Date | undefined {
  const times = instances.map((instance) => Date.parse(instance.labels[LABEL_EXPIRES] ?? '')).filter((time) => !Number.isNaN(time));
  return times.length === 0 ? undefined : new Date(Math.min(...times));
}

type MarkOutcome = { readonly kind: 'marked' | 'left'; readonly path: string } | { readonly kind: 'failed'; readonly path: string; readonly message: string };

async function markAbandoned(runDir: string, finishedAt: string, dryRun: boolean): Promise<MarkOutcome> {
  const path = join(runDir, RUN_FILE);
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as RunManifest;
  } catch (error) {
    // A run killed before it wrote run.json leaves nothing to mark.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'left', path };
    return { kind: 'failed', path, message: messageOf(error) };
  }
  if (manifest.state !== 'running') return { kind: 'left', path };
  if (dryRun) return { kind: 'marked', path };
  try {
    await writeManifest(runDir, { ...manifest, state: 'abandoned', finishedAt });
  } catch (error) {
    return { kind: 'failed', path, message: messageOf(error) };
  }
  return { kind: 'marked', path };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
