import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COLLECTORS_DIR, CELL_FILE, CONSOLE_FILE, harvestedFilePath, RUN_TRENDS_PAGE } from '../results-schema/layout.js';
import type { ManifestCell, RunManifest } from '../results-schema/run-manifest.js';
import { VERDICTS } from '../results-schema/verdict.js';
import type { ImageDifference } from './differences.js';
import { Html, html, relativeHref } from './html.js';

export const REPORT_FILE = 'report.html';

/** Paths, relative to the run folder, of what was harvested for one cell. */
interface CellFiles {
  readonly cellJson: string | undefined;
  readonly cloudInitLog: string | undefined;
  readonly console: string | undefined;
  readonly collectors: readonly string[];
}

interface HtmlReportInput {
  readonly manifest: RunManifest;
  readonly differences: readonly ImageDifference[];
  /** Keyed by the cell's folder (ManifestCell.dir). */
  readonly files: ReadonlyMap<string, CellFiles>;
  /** Whether the run's trends page (RUN_TRENDS_PAGE) is beside the report. */
  readonly trendsPage: boolean;
}

/** Writes <run>/report.html and returns its path. */
export async function writeHtmlReport(runDir: string, manifest: RunManifest, differences: readonly ImageDifference[]): Promise<string> {
  const files = new Map(await Promise.all(manifest.cells.map(async (cell) => [cell.dir, await harvestedFiles(runDir, cell.dir)] as const)));
  const path = join(runDir, REPORT_FILE);
  await writeFile(path, renderHtmlReport({ manifest, differences, files, trendsPage: existsSync(join(runDir, RUN_TRENDS_PAGE)) }));
  return path;
}

/**
 * One self-contained page (inline CSS, no script, nothing fetched) that opens from the
 * results folder, or from a CI artifact, with links into the harvest beside it.
 */
function renderHtmlReport(input: HtmlReportInput): string {
  const { manifest } = input;
  const notRun = manifest.cells.filter((cell) => cell.state === 'not-run').length;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cloudproof ${manifest.runId}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>cloudproof run ${manifest.runId}</h1>
${input.trendsPage ? html`<p><a href="${relativeHref(RUN_TRENDS_PAGE)}">Boot-time trends</a> of every series this run measured, across the runs before it.</p>` : ''}
<p class="totals">${VERDICTS.map((verdict) => `${manifest.summary[verdict]} ${verdict}`).join(', ')}${notRun > 0 ? `, ${notRun} not run` : ''} — run ${manifest.state}${manifest.crash === undefined ? '' : `: ${manifest.crash}`}</p>
${buildSection(manifest)}
${imagesSection(manifest)}
${matrixSection(input)}
${differencesSection(input.differences)}
${failuresSection(manifest)}
${skippedSection(manifest)}
${expectationsSection(manifest)}
</body>
</html>
`.text;
}

async function harvestedFiles(runDir: string, cellDir: string): Promise<CellFiles> {
  const at = (relative: string): string | undefined => (existsSync(join(runDir, relative)) ? relative : undefined);
  const collectorNames = await readdir(join(runDir, cellDir, COLLECTORS_DIR)).catch(() => [] as string[]);
  return {
    cellJson: at(`${cellDir}/${CELL_FILE}`),
    // harvestedFilePath gives the layout's path; the link wants it relative to the run folder.
    cloudInitLog: at(harvestedFilePath(cellDir, '/var/log/cloud-init.log')),
    console: at(`${cellDir}/${CONSOLE_FILE}`),
    collectors: collectorNames.filter((name) => name.endsWith('.out')).sort().map((name) => `${cellDir}/${COLLECTORS_DIR}/${name}`),
  };
}

function buildSection(manifest: RunManifest): Html {
  const startedBy = manifest.startedBy.kind === 'cli' ? `harness ${manifest.startedBy.argv.join(' ')}` : `worker ${manifest.startedBy.worker}, job ${manifest.startedBy.jobId}`;
  const rows: [string, unknown][] = [
    ['started', manifest.startedAt],
    ['finished', manifest.finishedAt ?? '—'],
    ['started by', startedBy],
    ['harness', `${manifest.harness.version} on Node ${manifest.harness.node}`],
    ['platform', `${manifest.platform.name} ${Object.entries(manifest.platform.facts).map(([key, value]) => `${key}=${value}`).join(', ')}`],
    ['concurrency', manifest.concurrency],
    ['expectations files', manifest.expectationFiles.join(', ') || 'none'],
    ...Object.entries(manifest.build).map(([key, value]): [string, unknown] => [`build ${key}`, describeValue(value)]),
  ];
  return html`<section><h2>Build</h2><table class="facts">${rows.map(([key, value]) => html`<tr><th>${key}</th><td>${value}</td></tr>`)}</table></section>`;
}

function imagesSection(manifest: RunManifest): Html {
  return html`<section><h2>Images</h2><table><tr><th>image</th><th>cloud-init</th><th>fingerprint</th></tr>${manifest.images.map(
    (image) => html`<tr><td>${image.ref}</td><td>${image.cloudInitVersion ?? 'unknown'}</td><td><code title="${image.fingerprint}">${image.fingerprint.slice(0, 12)}</code></td></tr>`,
  )}</table></section>`;
}

function matrixSection(input: HtmlReportInput): Html {
  const { manifest } = input;
  const images = manifest.images.map((image) => image.ref);
  const caseNames = [...new Set(manifest.cells.map((cell) => cell.case))];
  const cellOf = (caseName: string, image: string) => manifest.cells.find((cell) => cell.case === caseName && cell.image === image);
  return html`<section><h2>Matrix</h2><table class="matrix"><tr><th>case</th>${images.map((image) => html`<th>${image}</th>`)}</tr>${caseNames.map(
    (caseName) => html`<tr><th>${caseName}</th>${images.map((image) => matrixCell(cellOf(caseName, image), input.files))}</tr>`,
  )}</table></section>`;
}

function matrixCell(cell: ManifestCell | undefined, files: ReadonlyMap<string, CellFiles>): Html {
  if (cell === undefined) return html`<td class="none">—</td>`;
  const outcome = cell.verdict ?? (cell.state === 'not-run' ? 'not-run' : 'unknown');
  const harvested = files.get(cell.dir);
  const links: [string, string | undefined][] = [
    ['cell.json', harvested?.cellJson],
    ['cloud-init.log', harvested?.cloudInitLog],
    ['console.log', harvested?.console],
  ];
  const collectors = harvested?.collectors ?? [];
  return html`<td class="${outcome}">${mark(cell, outcome)}${cell.verdict === 'skipped' && cell.reason ? html`<div class="reason">${cell.reason}</div>` : ''}<div class="links">${links
    .filter((link): link is [string, string] => link[1] !== undefined)
    .map(([label, path]) => html`<a href="${relativeHref(path)}">${label}</a> `)}${
    collectors.length > 0
      ? html`<details><summary>collectors (${collectors.length})</summary>${collectors.map((path) => html`<a href="${relativeHref(path)}">${path.split('/').pop()}</a><br>`)}</details>`
      : ''
  }</div></td>`;
}

function differencesSection(differences: readonly ImageDifference[]): Html {
  if (differences.length === 0) return html``;
  return html`<section><h2>Differences between images</h2>${differences.map(
    (difference) => html`<div class="difference"><p><strong>${difference.case}</strong>: passes on ${difference.passesOn.join(', ')}, fails on ${difference.failsOn.join(', ')}: ${difference.firstFailure}</p>${difference.newLogLines
      .filter(({ findings }) => findings.length > 0)
      .map(({ image, findings }) => html`<p>only in ${image}'s cloud-init.log:</p><pre>${findings.map((finding) => `${finding.line}: ${finding.text.trim()}\n`)}</pre>`)}</div>`,
  )}</section>`;
}

/** Every cell that needs a person: failed, could not be judged (error), or passed although marked to fail. */
function failuresSection(manifest: RunManifest): Html {
  const failed = manifest.cells.filter(needsALook);
  if (failed.length === 0) return html``;
  return html`<section><h2>Failures and errors</h2>${failed.map(
    (cell) => html`<div class="failure"><h3 id="${anchor(cell)}">${cell.case} [${cell.image}] ${cell.verdict}${cell.errorCode === undefined ? '' : ` (${cell.errorCode})`}</h3>${
      cell.xfail === undefined ? '' : html`<p>marked to fail: ${cell.xfail}</p>`
    }${(cell.warnings ?? []).map((warning) => html`<p class="warning">${warning}</p>`)}${cell.failures.map(
      (failure) => html`<p class="test">✗ ${failure.test}</p><pre>${failure.message}</pre>`,
    )}${cell.failures.length === 0 && cell.reason ? html`<pre>${cell.reason}</pre>` : ''}<p>harvested: <a href="${relativeHref(cell.dir)}/">${cell.dir}/</a></p></div>`,
  )}</section>`;
}

/**
 * What each expectations file changed, cell by cell: a vendor's file can excuse a WARNING
 * or a Traceback, and a reader of the report must be able to see that it did.
 */
function expectationsSection(manifest: RunManifest): Html {
  const changed = manifest.cells
    .map((cell) => ({ cell, overlays: (cell.expectationsApplied ?? []).filter((overlay) => overlay.changed.length > 0) }))
    .filter(({ overlays }) => overlays.length > 0);
  if (changed.length === 0) return html``;
  return html`<section><h2>What expectations files changed</h2><details><summary>${changed.length} cell(s)</summary><table><tr><th>cell</th><th>file and key</th><th>changed</th></tr>${changed.flatMap(({ cell, overlays }) =>
    overlays.map((overlay) => html`<tr><td>${cell.case} [${cell.image}]</td><td>${overlay.file} ${overlay.key}</td><td>${overlay.changed.join(', ')}</td></tr>`),
  )}</table></details></section>`;
}

function skippedSection(manifest: RunManifest): Html {
  const skipped = manifest.cells.filter((cell) => cell.verdict === 'skipped');
  if (skipped.length === 0) return html``;
  return html`<section><h2>Skipped</h2><ul>${skipped.map((cell) => html`<li>${cell.case} [${cell.image}]: ${cell.reason ?? 'no reason given'}</li>`)}</ul></section>`;
}

/** A failed cell's mark links to its failure messages further down. */
function mark(cell: ManifestCell, outcome: string): Html {
  const text = MARKS[outcome] ?? outcome;
  return needsALook(cell) ? html`<a class="mark" href="#${anchor(cell)}">${text}</a>` : html`<span class="mark">${text}</span>`;
}

function needsALook(cell: ManifestCell): boolean {
  return cell.verdict === 'failed' || cell.verdict === 'error' || cell.verdict === 'xpassed';
}

function anchor(cell: ManifestCell): string {
  return `failure-${cell.dir.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

/** A build record's field as one line of text, whatever its shape. */
function describeValue(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const MARKS: Readonly<Record<string, string>> = { passed: 'pass', failed: 'FAIL', error: 'ERROR', skipped: 'skip', xfailed: 'xfail', xpassed: 'XPASS', 'not-run': 'not run' };

const STYLE = new Html(`
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1b1b1b; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; } h3 { font-size: 1em; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }
table.facts th { background: #f4f4f4; font-weight: normal; }
table.matrix td { min-width: 9em; }
td.passed { background: #e3f6e3; } td.failed, td.xpassed { background: #fbe0e0; } td.error { background: #fde9c8; } td.skipped, td.xfailed { background: #f1f1f1; color: #555; }
td.not-run, td.unknown, td.none { background: #fff8e0; }
.mark { font-weight: bold; } .reason { font-size: .85em; } .links { font-size: .8em; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: .5em; overflow-x: auto; white-space: pre-wrap; }
.totals { font-size: 1.1em; }
`);
