import type { RunManifest } from '../results-schema/run-manifest.js';
import { findDifferences, type ImageDifference } from './differences.js';
import { writeHtmlReport } from './html-report.js';

/** What the reports beyond JUnit and Allure found and wrote, for the summary to print. */
export interface RunReports {
  readonly differences: readonly ImageDifference[];
  readonly htmlPath: string;
}

/** Run after evaluation: reads only the run folder, as everything that judges a run does. */
export async function writeRunReports(runDir: string, manifest: RunManifest): Promise<RunReports> {
  const differences = await findDifferences(runDir, manifest);
  return { differences, htmlPath: await writeHtmlReport(runDir, manifest, differences) };
}
