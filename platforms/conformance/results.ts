import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KNOWN_CAPABILITIES, type KnownCapability } from '../../core/capabilities.js';
import type { PlatformDescription, PlatformLimits } from '../types.js';
import { rulesOf } from './rules.js';

export type RuleOutcome = 'passed' | 'failed' | 'not-declared' | 'unchecked';

export interface RuleResult {
  readonly id: string;
  readonly title: string;
  readonly capability?: KnownCapability;
  readonly outcome: RuleOutcome;
  readonly detail?: string;
  readonly ms: number;
}

/** Read back by later versions of the harness: `format` changes when a field changes meaning. */
export const RESULT_FORMAT = 'cloudproof-conformance/1';

export interface ConformanceResult {
  readonly format: typeof RESULT_FORMAT;
  readonly driver: string;
  /** `--platform-module` as given, when the driver came from one. */
  readonly module?: string;
  /**
   * The LABEL_RUN values of everything the suite launched: its own run id first, then the
   * ones it stood for killed runs with (`harness gc --run <id>` removes a leftover).
   */
  readonly runIds: readonly string[];
  readonly harnessVersion: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly image: { readonly ref: string; readonly fingerprint: string };
  /** What the driver declared when the suite ran. */
  readonly capabilities: readonly string[];
  readonly limits: PlatformLimits;
  readonly platform: PlatformDescription;
  /** The rules checked, in order: all of them unless the run named some. */
  readonly rules: readonly RuleResult[];
  /** What the suite created and could not remove: each needs removing by hand. */
  readonly cleanupFailures: readonly string[];
}

export function conformanceDir(cacheDir: string, driver: string): string {
  return join(cacheDir, 'conformance', driver.replace(/[^A-Za-z0-9._-]/g, '_'));
}

/** One file per run, named by its start, so the folder is the driver's dated history on this machine. */
export async function writeConformanceResult(cacheDir: string, result: ConformanceResult): Promise<string> {
  const dir = conformanceDir(cacheDir, result.driver);
  await mkdir(dir, { recursive: true });
  // Colons are not allowed in file names everywhere a cache folder may be copied to.
  const path = join(dir, `${result.startedAt.replace(/:/g, '-')}.json`);
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

export interface ConformanceHistory {
  readonly results: readonly ConformanceResult[];
  /** Files that are not results of a format this harness reads, one line each. */
  readonly unreadable: readonly string[];
}

export async function readConformanceHistory(cacheDir: string, driver: string): Promise<ConformanceHistory> {
  const dir = conformanceDir(cacheDir, driver);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { results: [], unreadable: [] };
    throw error;
  }
  const results: ConformanceResult[] = [];
  const unreadable: string[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<ConformanceResult>;
      if (parsed.format !== RESULT_FORMAT || typeof parsed.finishedAt !== 'string' || !Array.isArray(parsed.rules)) {
        unreadable.push(`${path}: not a ${RESULT_FORMAT} result`);
        continue;
      }
      results.push(parsed as ConformanceResult);
    } catch (error) {
      unreadable.push(`${path}: ${(error as Error).message}`);
    }
  }
  return { results, unreadable };
}

/** The newest result of each driver, by when it finished. */
export function newestPerDriver(results: readonly ConformanceResult[]): ReadonlyMap<string, ConformanceResult> {
  const newest = new Map<string, ConformanceResult>();
  for (const result of results) {
    const seen = newest.get(result.driver);
    if (seen === undefined || result.finishedAt > seen.finishedAt) newest.set(result.driver, result);
  }
  return newest;
}

export type SupportColumn = 'required' | KnownCapability;

export const SUPPORT_COLUMNS: readonly SupportColumn[] = ['required', ...(Object.keys(KNOWN_CAPABILITIES) as KnownCapability[])];

export type SupportState = 'yes' | 'failed' | 'unchecked' | 'not-declared';

export interface SupportCell {
  readonly state: SupportState;
  /** YYYY-MM-DD (UTC) the evidence finished on, for `yes` and `failed`. */
  readonly date?: string;
  readonly failedRules?: readonly string[];
}

/**
 * What a driver's declaration is worth on this machine: a column is `yes` only when the
 * driver declares it and the newest result that checked every rule of the column passed
 * them all. Taking the newest result per column (not per driver) keeps a `--rule` run
 * from wiping out the evidence of a full one; each cell carries its own date.
 */
export function supportCell(column: SupportColumn, declared: readonly string[], history: readonly ConformanceResult[]): SupportCell {
  if (column !== 'required' && !declared.includes(column)) return { state: 'not-declared' };
  const rules = rulesOf(column);
  let evidence: { result: ConformanceResult; outcomes: readonly RuleResult[] } | undefined;
  for (const result of history) {
    const outcomes = rules.map((rule) => result.rules.find((checked) => checked.id === rule.id && checked.outcome !== 'not-declared'));
    if (outcomes.some((outcome) => outcome === undefined)) continue;
    if (evidence === undefined || result.finishedAt > evidence.result.finishedAt) evidence = { result, outcomes: outcomes as RuleResult[] };
  }
  if (evidence === undefined) return { state: 'unchecked' };
  const date = evidence.result.finishedAt.slice(0, 10);
  const failed = evidence.outcomes.filter((outcome) => outcome.outcome === 'failed').map((outcome) => outcome.id);
  if (failed.length > 0) return { state: 'failed', date, failedRules: failed };
  if (evidence.outcomes.some((outcome) => outcome.outcome === 'unchecked')) return { state: 'unchecked' };
  return { state: 'yes', date };
}
