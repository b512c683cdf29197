import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { Html, html } from '../html.js';
import type { Trend } from './trends.js';
import { change, seriesName, shownTrends } from './trends-table.js';

const require = createRequire(import.meta.url);
// Inlined, so that the page opens offline and from a CI artifact: no CDN, nothing fetched.
const UPLOT_JS = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
const UPLOT_CSS = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');

const STYLE = `body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
section{margin:1.5em 0}h2{font-size:1em;margin:.2em 0}.SLOWER h2{color:#b00020}.FASTER h2{color:#1b5e20}
.note{color:#555}`;

/** One series as the page's script draws it: the runs' times, and where E-Divisive put change points. */
interface ChartData {
  readonly id: string;
  readonly ms: readonly number[];
  readonly runs: readonly string[];
  /** 1-based positions of the first run after each change point. */
  readonly changes: readonly number[];
}

/**
 * `harness trends --html` and a run's trends.html: one chart per series the table shows
 * (every series with `all`), the run's times left to right, each change point a dashed
 * line at the first run after it. uPlot and its CSS are inlined: the page needs nothing else.
 */
export function renderTrendsPage(trends: readonly Trend[], options: { readonly title: string; readonly all?: boolean }): string {
  const shown = shownTrends(trends, options);
  const charts: ChartData[] = shown.map((trend, index) => ({
    id: `chart-${index}`,
    ms: trend.points.map((point) => Math.round(point.ms * 10) / 10),
    runs: trend.points.map((point) => point.runId),
    changes: trend.changes.map((entry) => entry.position),
  }));
  // `<` escaped inside the JSON, so that no run id or module name can end the script element.
  const data = JSON.stringify(charts).replace(/</g, '\\u003c');
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${options.title}</title>
<style>${new Html(UPLOT_CSS + STYLE)}</style>
</head>
<body>
<h1>${options.title}</h1>
<p class="note">${shown.length} of ${trends.length} series; a dashed line is a change point (E-Divisive means), at the first run after it.</p>
${shown.map(
  (trend, index) => html`<section class="${trend.verdict}"><h2>${seriesName(trend.key)}: ${trend.verdict}${trend.since === undefined ? '' : ` since ${trend.since.run.runId} (run ${trend.since.position} of ${trend.runs}), ${change(trend)}`}</h2><div id="chart-${index}" class="chart"></div></section>`,
)}
<script>${script(UPLOT_JS)}</script>
<script>${script(`const CHARTS = ${data};\n${DRAW}`)}</script>
</body>
</html>
`.toString();
}

/** Writes the page; returns its absolute path. */
export async function writeTrendsPage(file: string, trends: readonly Trend[], options: { readonly title: string; readonly all?: boolean }): Promise<string> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderTrendsPage(trends, options));
  return path;
}

/** Script text goes in as it is, not escaped: only `</script` could end it, and neither uPlot nor the data (escaped above) holds one. */
function script(text: string): Html {
  if (/<\/script/i.test(text)) throw new Error('a script for the trends page holds </script');
  return new Html(text);
}

const DRAW = `for (const chart of CHARTS) {
  const x = chart.ms.map((_, i) => i + 1);
  const marks = { hooks: { draw: [(u) => {
    const ctx = u.ctx; ctx.save(); ctx.strokeStyle = '#b00020'; ctx.setLineDash([6, 4]); ctx.lineWidth = 2;
    for (const position of chart.changes) {
      const left = u.valToPos(position - 0.5, 'x', true);
      ctx.beginPath(); ctx.moveTo(left, u.bbox.top); ctx.lineTo(left, u.bbox.top + u.bbox.height); ctx.stroke();
    }
    ctx.restore();
  }] } };
  new uPlot({ width: 900, height: 220, plugins: [marks], scales: { x: { time: false } },
    axes: [{ label: 'run' }, { label: 'ms' }],
    series: [{ label: 'run', value: (u, v) => v == null ? '' : v + ': ' + chart.runs[v - 1] }, { label: 'ms', stroke: '#1565c0', points: { show: true } }] },
    [x, chart.ms], document.getElementById(chart.id));
}`;
