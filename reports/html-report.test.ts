import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { handMadeRun } from '../test/matrix-run-folder.js';
import { findDifferences } from './differences.js';
import { REPORT_FILE, writeHtmlReport } from './html-report.js';
import { escapeHtml, html, relativeHref } from './html.js';

const LOG = 'files/var/log/cloud-init.log';
const HOSTILE = `<script>alert("x")</script> & 'quoted'`;

describe('HTML report', () => {
  let runDir: string;
  let page: string;

  before(async () => {
    const made = await handMadeRun([
      { case: 'write_files', image: 'debian/bookworm', verdict: 'passed', files: { [LOG]: 'ok\n', 'collectors/cloud-init-status.out': '{}' } },
      {
        case: 'write_files',
        image: 'debian/trixie',
        verdict: 'passed',
        files: { [LOG]: 'ok\n' },
        expectationsApplied: [
          { file: '/vendor/expectations.yaml', key: 'cases.write_files.images["debian/trixie"]', changed: ['expect.log_warnings +1'] },
          { file: '/ours/images.yaml', key: 'images["debian/*"]', changed: [] },
        ],
      },
      {
        case: 'jinja_feature',
        image: 'debian/bookworm',
        verdict: 'failed',
        failures: [{ test: 'renders the <file>', message: `expected ${HOSTILE}\nsecond line` }],
        files: { [LOG]: `2026-11-28 15:14:02,821 - jinja_template.py[WARNING]: ${HOSTILE}\n` },
      },
      { case: 'jinja_feature', image: 'debian/trixie', verdict: 'passed', files: { [LOG]: 'ok\n' } },
      { case: 'declared', image: 'debian/bookworm', verdict: 'skipped', reason: 'needs cloud-init >=23.3; debian/bookworm has 22.4.2-1+deb12u4' },
      { case: 'declared', image: 'debian/trixie', verdict: 'passed' },
    ]);
    runDir = made.runDir;
    const path = await writeHtmlReport(runDir, made.manifest, await findDifferences(runDir, made.manifest));
    assert.equal(path, join(runDir, REPORT_FILE));
    page = await readFile(path, 'utf8');
  });
  after(async () => {
    await rm(runDir, { recursive: true, force: true });
  });

  it('says what each expectations file changed for a cell, and leaves out overlays that changed nothing', () => {
    assert.match(page, /What expectations files changed/);
    assert.match(page, /write_files \[debian\/trixie\]<\/td><td>\/vendor\/expectations\.yaml cases\.write_files\.images\[&quot;debian\/trixie&quot;\]<\/td><td>expect\.log_warnings \+1/);
    assert.doesNotMatch(page, /\/ours\/images\.yaml/);
  });

  it('puts the build and every image with its cloud-init version and fingerprint at the top', () => {
    for (const text of ['20261128-150000-abcd', 'harness run --release bookworm --release trixie', '22.4.2-1+deb12u4', '25.1.4-1+deb13u1', 'f162bd99c87c', 'c8f799739a68']) {
      assert.ok(page.includes(text), `report lacks ${text}`);
    }
    assert.ok(page.indexOf('25.1.4-1+deb13u1') < page.indexOf('<h2>Matrix</h2>'));
  });

  it('links each cell to what was harvested for it, relatively, and only to files that exist', () => {
    assert.ok(page.includes('href="write_files/debian-bookworm/cell.json"'));
    assert.ok(page.includes('href="write_files/debian-bookworm/files/var/log/cloud-init.log"'));
    assert.ok(page.includes('href="write_files/debian-bookworm/collectors/cloud-init-status.out"'));
    assert.ok(!page.includes('href="write_files/debian-trixie/collectors/'), 'links a collector that was not harvested');
    assert.ok(!page.includes('href="declared/debian-bookworm/files/'), 'links a log the skipped cell does not have');
    assert.ok(page.includes('href="#failure-jinja_feature-debian-bookworm"'), 'a FAIL mark links to its failure');
  });

  it('shows failures with their messages, skip reasons and the differences between images', () => {
    assert.ok(page.includes('second line'));
    assert.ok(page.includes('needs cloud-init &gt;=23.3; debian/bookworm has 22.4.2-1+deb12u4'));
    assert.ok(page.includes('<h2>Differences between images</h2>'));
    assert.match(page, /jinja_feature<\/strong>: passes on debian\/trixie, fails on debian\/bookworm: expected &lt;script&gt;/);
  });

  it('escapes everything it did not write itself, and is self-contained', () => {
    assert.ok(!page.includes('<script'), 'a <script> got through');
    assert.ok(page.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;'));
    assert.ok(page.includes('renders the &lt;file&gt;'));
    assert.doesNotMatch(page, /https?:\/\/|<link\b|\bsrc=/, 'the page loads something from elsewhere');
    assert.match(page, /<style>[\s\S]*td\.failed/);
  });

  it('html`` escapes interpolations but keeps its own markup; hrefs are encoded per segment', () => {
    assert.equal(html`<p>${'<b>'}${html`<i>${'&'}</i>`}${['<', undefined, false, null, 0]}</p>`.text, '<p>&lt;b&gt;<i>&amp;</i>&lt;0</p>');
    assert.equal(escapeHtml(`"'&<>`), '&quot;&#39;&amp;&lt;&gt;');
    assert.equal(relativeHref('a b/#c/d?.out'), 'a%20b/%23c/d%3F.out');
  });
});
