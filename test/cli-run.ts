import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ManifestCell, RunManifest } from '../results-schema/run-manifest.js';

export const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');

export interface CliRun {
  readonly runId: string;
  readonly manifest: RunManifest;
  readonly runDir: string;
  readonly stdout: string;
  readonly exitCode: number | undefined;
}

/**
 * `harness run <args> --results <resultsDir>` as a user runs it (CI=true), its output
 * passed through; the run must have finished and written its one results folder.
 */
export async function harnessRun(args: readonly string[], resultsDir: string): Promise<CliRun> {
  const run = await execa('node', [HARNESS, 'run', ...args, '--results', resultsDir], { reject: false, env: { CI: 'true' }, all: true });
  process.stdout.write(`${run.all}\n`);
  const [runId] = await readdir(resultsDir);
  assert.ok(runId, `the run wrote no results folder (exit ${run.exitCode})`);
  const runDir = join(resultsDir, runId);
  const manifest = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as RunManifest;
  assert.equal(manifest.state, 'finished', `the run did not finish (exit ${run.exitCode})`);
  return { runId, manifest, runDir, stdout: run.stdout, exitCode: run.exitCode };
}

/** One line per cell for an assertion message: what it ended in, and why. */
export function describeCell(cell: ManifestCell | undefined): string {
  if (cell === undefined) return 'not in the run';
  const why = [cell.errorCode, cell.reason, ...cell.failures.map((failure) => `${failure.test}: ${failure.message.split('\n')[0] ?? ''}`)].filter((part) => part !== undefined && part !== '');
  return `${cell.verdict ?? cell.state}${why.length === 0 ? '' : ` (${why.join('; ')})`}`;
}
