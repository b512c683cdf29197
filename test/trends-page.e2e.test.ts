import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { historyOf } from '../reports/trends/history/from-manifest.js';
import { seededRandom } from '../reports/trends/stats/seeded-random.js';
import type { Series } from '../reports/trends/history/store.js';
import { trendsOf } from '../reports/trends/trends.js';
import { writeTrendsPage } from '../reports/trends/trends-page.js';
import { recordedRun, replayed, SLOWED, STEP_AT_RUN } from './replayed-history.js';

const CHROMIUM = '/usr/bin/chromium';
/** What the test reads of a canvas in the page (the project's TypeScript has no DOM types). */
interface Canvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, width: number, height: number): { readonly data: ArrayLike<number> } };
}
// CI keeps what lands here (.ci/run names it); gitignored.
const ARTIFACTS = process.env.CLOUDPROOF_ARTIFACTS ?? join(import.meta.dirname, '..', 'artifacts');

/** The 30 replayed runs of the trends tests as stored series, without a store: the page reads only trends. */
async function thirtyRunSeries(): Promise<Series[]> {
  const recorded = await recordedRun();
  const random = seededRandom(20);
  const bySeries = new Map<string, Series>();
  for (let n = 1; n <= 30; n++) {
    const run = replayed(recorded, n, random);
    for (const timing of historyOf(run).timings) {
      const key = { platform: 'lxd', image: timing.image, case: timing.case, boot: timing.boot, stage: timing.stage, module: timing.module } as Series['key'];
      const id = JSON.stringify(key);
      const series = bySeries.get(id) ?? { key, points: [] };
      (series.points as Series['points'][number][]).push({ runId: run.runId, startedAt: run.startedAt, build: { kind: 'none', sha256: undefined, commit: undefined, describe: undefined }, imageFingerprint: timing.imageFingerprint, verdict: timing.verdict, ms: timing.ms });
      bySeries.set(id, series);
    }
  }
  return [...bySeries.values()];
}

describe('@e2e the trends page in headless Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let dir: string;
  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(`    skipped: no ${CHROMIUM} (apt-get install chromium)`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'cloudproof-trends-page-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('draws one chart per series shown, offline, with the change point marked at run 20 in the slowed module; CI keeps a screenshot', async () => {
    const trends = trendsOf(await thirtyRunSeries());
    const page = await writeTrendsPage(join(dir, 'trends.html'), trends, { title: 'trends under test' });
    const tab = await browser!.newPage({ viewport: { width: 1000, height: 900 } });
    const requests: string[] = [];
    tab.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(`file://${page}`);
    const sections = await tab.locator('section').count();
    assert.ok(sections >= 5, `${sections} sections`);
    assert.equal(await tab.locator('section canvas').count(), sections, 'a canvas in every section');
    const slowed = tab.locator('section.SLOWER', { hasText: `${SLOWED.stage}/${SLOWED.module}` });
    assert.match((await slowed.locator('h2').textContent()) ?? '', new RegExp(`SLOWER since replay-${STEP_AT_RUN} \\(run ${STEP_AT_RUN} of 30\\)`));
    // The dashed change-point line is the only #b00020 on a chart: count its pixels on the slowed module's.
    const marked = await slowed.locator('canvas').evaluate((canvas: Canvas) => {
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let red = 0;
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! > 150 && pixels[i + 1]! < 60 && pixels[i + 2]! < 70) red += 1;
      return red;
    });
    assert.ok(marked > 50, `${marked} pixels of the change-point line`);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [], 'the page fetched nothing');
    mkdirSync(ARTIFACTS, { recursive: true });
    await tab.screenshot({ path: join(ARTIFACTS, 'trends-page.png'), fullPage: true });
    assert.ok(existsSync(join(ARTIFACTS, 'trends-page.png')));
  });
});
