import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { summarize, type ManifestCell, type RunManifest } from '../results-schema/run-manifest.js';

/**
 * Hand-made run folders for the report tests: a manifest and, per cell, only the harvested
 * files a test names, laid out as harness/harvest/layout.ts lays out a real run.
 */
export interface HandMadeCell {
  readonly case: string;
  readonly image: string;
  readonly verdict: 'passed' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly failures?: readonly { readonly test: string; readonly message: string }[];
  readonly expectationsApplied?: ManifestCell['expectationsApplied'];
  /** Relative to the cell's folder, e.g. `files/var/log/cloud-init.log` → content. */
  readonly files?: Readonly<Record<string, string>>;
}

export const IMAGES = [
  { ref: 'debian/bookworm', fingerprint: 'f162bd99c87cf778d0c8a9022973b0fa119e68f64570a35f36b3e59636718f56', cloudInitVersion: '22.4.2-1+deb12u4' },
  { ref: 'debian/trixie', fingerprint: 'c8f799739a68752d9ddd8d66ab6259f6d8ca1bedac8fd58fdd4bd3b32ce925da', cloudInitVersion: '25.1.4-1+deb13u1' },
] as const;

export async function handMadeRun(cells: readonly HandMadeCell[]): Promise<{ runDir: string; manifest: RunManifest }> {
  const runDir = await mkdtemp(join(tmpdir(), 'cloudproof-matrix-report-'));
  const manifestCells: ManifestCell[] = [];
  for (const cell of cells) {
    const dir = `${cell.case}/${cell.image.replace(/[^A-Za-z0-9._-]+/g, '-')}`;
    for (const [path, content] of Object.entries({ 'cell.json': '{}\n', ...cell.files })) {
      await mkdir(dirname(join(runDir, dir, path)), { recursive: true });
      await writeFile(join(runDir, dir, path), content);
    }
    manifestCells.push({
      case: cell.case,
      image: cell.image,
      dir,
      instance: undefined,
      state: cell.verdict === 'skipped' ? 'skipped' : 'harvested',
      verdict: cell.verdict,
      errorCode: undefined,
      reason: cell.reason,
      failures: cell.failures ?? [],
      ...(cell.expectationsApplied === undefined ? {} : { expectationsApplied: cell.expectationsApplied }),
      timings: [],
    });
  }
  const manifest: RunManifest = {
    schema: 1,
    runId: '20261128-150000-abcd',
    state: 'finished',
    harness: { version: '0.1.0', node: 'v20.19.0' },
    startedBy: { kind: 'cli', argv: ['run', '--release', 'bookworm', '--release', 'trixie'] },
    startedAt: '2026-11-28T15:00:00.000Z',
    finishedAt: '2026-11-28T15:02:00.000Z',
    platform: { name: 'lxd', summary: 'LXD 5.0.2, storage pool default (dir)', facts: { server: 'LXD 5.0.2', storagePool: 'default' }, limits: { userDataBytes: undefined, defaultConcurrency: 2, maxConcurrency: undefined, bootTimeoutFactor: 1 }, readiness: 'exec of `true` succeeds' },
    build: { kind: 'none' },
    images: IMAGES,
    concurrency: 2,
    cases: [...new Set(cells.map((cell) => cell.case))].map((name) => ({ name, file: `/cases/${name}.yaml`, sha256: '0'.repeat(64) })),
    expectationFiles: [],
    cells: manifestCells,
    summary: summarize(manifestCells),
  };
  return { runDir, manifest };
}
