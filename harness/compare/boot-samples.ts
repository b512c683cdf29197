import { bootTimings } from '../../reports/trends/history/from-manifest.js';
import type { RunManifest } from '../../results-schema/run-manifest.js';

/** A series of an A/B comparison: one stage, module or figure of one boot of one case on one image. */
export interface SampleKey {
  readonly case: string;
  readonly image: string;
  readonly boot: number;
  readonly stage: string;
  readonly module: string | undefined;
}

export interface Samples {
  readonly key: SampleKey;
  readonly ms: number[];
}

/** A cell left out of the samples, and why: a boot that did not pass is not a boot of the build as it should be. */
export interface LeftOut {
  readonly runId: string;
  readonly cell: string;
  readonly verdict: string;
}

export function sampleId(key: SampleKey): string {
  return [key.case, key.image, key.boot, key.stage, key.module ?? ''].join('\u0000');
}

/** Adds every passed cell's boot times of a run to the samples, by series; says which cells were left out. */
export function addSamples(samples: Map<string, Samples>, manifest: RunManifest): LeftOut[] {
  const leftOut: LeftOut[] = [];
  for (const cell of manifest.cells) {
    if (cell.verdict !== 'passed') {
      leftOut.push({ runId: manifest.runId, cell: `${cell.case} [${cell.image}]`, verdict: cell.verdict ?? cell.state });
      continue;
    }
    for (const times of cell.bootTimes ?? []) {
      for (const row of bootTimings(times)) {
        const key: SampleKey = { case: cell.case, image: cell.image, boot: times.boot, stage: row.stage, module: row.module };
        const id = sampleId(key);
        const entry = samples.get(id) ?? { key, ms: [] };
        entry.ms.push(row.ms);
        samples.set(id, entry);
      }
    }
  }
  return leftOut;
}
