import type { BootTimes, SystemdFigure } from '../../../results-schema/boot-times.js';
import type { BuildRecord, ManifestCell, RunManifest } from '../../../results-schema/run-manifest.js';
import type { BuildKey, HistoryRun, Timing, TimingSeries } from './store.js';

/** A judged run's boot times as history rows: one per stage, module and systemd figure of every boot of every cell. */
export function historyOf(manifest: RunManifest): { readonly run: HistoryRun; readonly timings: Timing[] } {
  const fingerprints = new Map(manifest.images.map((image) => [image.ref, image.fingerprint]));
  const run: HistoryRun = { runId: manifest.runId, startedAt: manifest.startedAt, platform: manifest.platform.name, build: buildKeyOf(manifest.build), harnessVersion: manifest.harness.version };
  const sharedSeen = new Set<string>();
  const timings = manifest.cells.flatMap((cell) => {
    const series = seriesCase(cell);
    if (series.sharedDir !== undefined) {
      if (sharedSeen.has(series.sharedDir)) return [];
      sharedSeen.add(series.sharedDir);
    }
    return (cell.bootTimes ?? []).flatMap((times) =>
      bootTimings(times).map((row): Timing => ({ ...row, case: series.name, image: cell.image, imageFingerprint: fingerprints.get(cell.image) ?? '', boot: times.boot, verdict: cell.verdict })),
    );
  });
  return { run, timings };
}

/**
 * The case a cell's boot times belong to. A shared boot's are its own series, named by
 * its cases and recorded once, not under each of them: its boot does the work of all, so
 * it would be a step in the series of a case that booted alone before.
 */
function seriesCase(cell: ManifestCell): { readonly name: string; readonly sharedDir: string | undefined } {
  const shared = cell.sharedBoot;
  if (shared === undefined || shared.rerunAlone !== undefined) return { name: cell.case, sharedDir: undefined };
  return { name: `shared:${shared.cases.join('+')}`, sharedDir: shared.dir };
}

export type Measured = TimingSeries & { readonly ms: number };

/** One boot's times as rows: each stage, each module, cloud-init's total (stage `cloud-init`), each systemd figure and unit. */
export function bootTimings(times: BootTimes): Measured[] {
  const rows: Measured[] = times.stages.flatMap((stage) => [
    { stage: stage.stage, module: undefined, ms: stage.ms },
    ...stage.modules.map((module) => ({ stage: stage.stage, module: module.module, ms: module.ms })),
  ]);
  if (times.cloudInitMs !== undefined) rows.push({ stage: 'cloud-init', module: undefined, ms: times.cloudInitMs });
  for (const [figure, ms] of Object.entries(times.systemd.figures) as [SystemdFigure, number][]) rows.push({ stage: 'systemd', module: figure, ms });
  for (const unit of times.systemd.blame) rows.push({ stage: 'systemd-blame', module: unit.unit, ms: unit.ms });
  return rows;
}

function buildKeyOf(build: BuildRecord): BuildKey {
  if (build.kind === 'none') return { kind: 'none', sha256: undefined, commit: undefined, describe: undefined };
  const artifact = build.artifacts.find((entry) => entry.package === 'cloud-init') ?? build.artifacts[0];
  return { kind: build.kind, sha256: artifact?.sha256, commit: build.tree?.commit, describe: build.tree?.describe };
}
