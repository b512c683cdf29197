import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorNames } from '../collectors/index.js';
import { HarnessError } from '../core/errors.js';
import { skipReason } from '../harness/run/select.js';
import type { TestCase } from './case.js';
import { cellExpectations, loadExpectations, type CellPlace } from './expectations.js';
import { loadCase, loadCases } from './loader.js';

const TESTCASES = import.meta.dirname;
const MARKER = join(import.meta.dirname, '..', 'test', 'fixtures', 'cases', 'basic', 'marker.yaml');
const bookworm = (cloudInit: string | undefined, platform = 'lxd'): CellPlace => ({ image: 'debian/bookworm', platform, cloudInit });

describe('stricter expectations', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-expectations-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, text: string): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };
  const caseFrom = async (expectAndMore: string): Promise<TestCase> =>
    loadCase(await write('strict.yaml', `description: a case\ncloud_config:\n  runcmd: [echo]\n${expectAndMore}`), collectorNames());
  const refused = async (load: Promise<unknown>, message: RegExp, hint?: RegExp): Promise<void> => {
    await assert.rejects(load, (error: unknown) => {
      assert.ok(error instanceof HarnessError, String(error));
      assert.match(error.message, message);
      assert.ok(!error.message.includes('\n'), 'one line');
      if (hint) assert.match(error.hint ?? '', hint);
      return true;
    });
  };

  describe('in a case file', () => {
    it('read a log_warnings entry as a pattern, or as a required or counted one', async () => {
      const testCase = await caseFrom(
        "expect:\n  log_warnings:\n    - 'plain'\n    - {pattern: 'must', required: true}\n    - {pattern: 'twice', count: 2}\n  tracebacks: ['ValueError: ']\n",
      );
      assert.deepEqual(testCase.expect.logWarnings, [
        { pattern: 'plain', required: false, count: undefined },
        { pattern: 'must', required: true, count: undefined },
        { pattern: 'twice', required: true, count: 2 },
      ]);
      assert.deepEqual(testCase.expect.tracebacks, [{ pattern: 'ValueError: ', required: false, count: undefined }]);
    });

    it('refuse `traceback: true`, pointing to `tracebacks`', async () => {
      await refused(caseFrom('expect:\n  traceback: true\n'), /strict\.yaml:5: unknown field "traceback" in expect/, /expect\.tracebacks/);
    });

    it('refuse a misspelt field of an entry and a pattern that does not compile, naming the field', async () => {
      await refused(caseFrom("expect:\n  log_warnings:\n    - {pattern: 'x', requird: true}\n"), /strict\.yaml:6: unknown field "requird" in expect\.log_warnings\[0\]/);
      await refused(caseFrom("expect:\n  tracebacks: ['(unclosed']\n"), /strict\.yaml:5: expect\.tracebacks\[0\] is not a valid regular expression/);
      await refused(caseFrom("xfail: {reason: a bug, cloud_init: 'not a range'}\n"), /strict\.yaml:4: xfail\.cloud_init "not a range" is not a version range/);
    });

    it("mark a case's own xfail only where its cloud-init range holds", async () => {
      const testCase = await caseFrom("xfail: {reason: 'known bug canonical/cloud-init#1, fixed in 25.3', cloud_init: '<25.3'}\n");
      assert.equal(cellExpectations(testCase, bookworm('22.4.2-1+deb12u3'), []).xfail, 'known bug canonical/cloud-init#1, fixed in 25.3');
      assert.equal(cellExpectations(testCase, bookworm('25.3-1'), []).xfail, undefined);
      const always = await caseFrom('xfail: a bug with no fix yet\n');
      assert.equal(cellExpectations(always, bookworm('26.2'), []).xfail, 'a bug with no fix yet');
    });
  });

  describe('in an expectations file', () => {
    it('skip only where a bounded skip\'s range holds, and say so where it does not', async () => {
      const testCase = await loadCase(MARKER, collectorNames());
      const file = await loadExpectations(await write('bounded.yaml', 'cases:\n  marker:\n    skip: {reason: "bug #1", cloud_init: "<26"}\n'));
      assert.equal(cellExpectations(testCase, bookworm('25.1.4-1'), [file]).skip, 'bug #1');
      const fixed = cellExpectations(testCase, bookworm('26.2-1'), [file]);
      assert.equal(fixed.skip, undefined);
      assert.deepEqual(fixed.applied, [{ file: file.file, key: 'cases.marker', changed: ['skip not applied: cloud-init 26.2-1 is outside <26'] }]);
      // An image that does not record its version keeps the mark.
      assert.equal(cellExpectations(testCase, bookworm(undefined), [file]).skip, 'bug #1');
    });

    it('xfail keyed by platform and bounded by version', async () => {
      const testCase = await loadCase(MARKER, collectorNames());
      const file = await loadExpectations(
        await write('xfail.yaml', 'cases:\n  marker:\n    platforms:\n      lxd:\n        xfail: {reason: "container bug #2", cloud_init: ">=22.4 <25.3"}\n'),
      );
      assert.equal(cellExpectations(testCase, bookworm('22.4.2-1'), [file]).xfail, 'container bug #2');
      assert.equal(cellExpectations(testCase, bookworm('22.4.2-1', 'qemu'), [file]).xfail, undefined);
      assert.equal(cellExpectations(testCase, bookworm('25.3'), [file]).xfail, undefined);
      assert.equal(cellExpectations(testCase, bookworm('22.4.2-1'), [file]).skip, undefined, 'an xfail is no skip');
    });

    it('list every overlay that matched, from which file and key, and what it changed', async () => {
      const testCase = await loadCase(MARKER, collectorNames());
      const ours = await loadExpectations(await write('ours.yaml', 'images:\n  "debian/*":\n    facts: {default_user: debian}\n'));
      const vendor = await loadExpectations(
        await write(
          'vendor.yaml',
          [
            'platforms:',
            '  lxd: {facts: {default_user: debian}}',
            'cases:',
            '  marker:',
            '    expect: {status: error, log_warnings: ["vendor: w", {pattern: "vendor: r", required: true}], tracebacks: ["OSError: "]}',
            '    images:',
            '      "*":',
            '        xfail: vendor bug',
            '        facts: {default_user: admin}',
            '',
          ].join('\n'),
        ),
      );
      const cell = cellExpectations(testCase, bookworm('22.4.2-1'), [ours, vendor]);
      assert.deepEqual(cell.applied, [
        { file: ours.file, key: 'images["debian/*"]', changed: ['facts.default_user'] },
        { file: vendor.file, key: 'platforms.lxd', changed: [] },
        { file: vendor.file, key: 'cases.marker', changed: ['expect.status', 'expect.log_warnings +2', 'expect.tracebacks +1'] },
        { file: vendor.file, key: 'cases.marker.images["*"]', changed: ['xfail', 'facts.default_user'] },
      ]);
      assert.equal(cell.xfail, 'vendor bug');
      assert.deepEqual(cell.expect.logWarnings.map((entry) => entry.required), [false, true]);
      assert.deepEqual(cellExpectations(testCase, { image: 'ubuntu/noble', platform: 'qemu', cloudInit: '24.1' }, [ours]).applied, []);
    });

    it('refuse a bad one with one line naming the file and the key', async () => {
      await refused(
        loadExpectations(await write('range.yaml', 'cases:\n  marker:\n    images:\n      "debian/*": {xfail: {reason: r, cloud_init: "<<26"}}\n')),
        /range\.yaml: cases\.marker\.images\["debian\/\*"\]\.xfail\.cloud_init "<<26" is not a version range/,
      );
      await refused(
        loadExpectations(await write('regex.yaml', 'images:\n  "*":\n    expect: {log_warnings: ["[unclosed"]}\n')),
        /regex\.yaml: images\["\*"\]\.expect\.log_warnings\[0\] is not a valid regular expression/,
      );
      await refused(loadExpectations(await write('old.yaml', 'platforms:\n  lxd: {expect: {traceback: true}}\n')), /old\.yaml: platforms\.lxd\.expect has unknown field "traceback"/, /expect\.tracebacks/);
      await refused(loadExpectations(await write('mark.yaml', 'cases:\n  marker: {skip: {reason: r, cloud-init: "<26"}}\n')), /mark\.yaml: cases\.marker\.skip has unknown field "cloud-init"/);
    });
  });

  describe('our own', () => {
    it('load every case and our expectations file', async () => {
      const cases = await loadCases([TESTCASES], collectorNames());
      assert.ok(cases.length > 10);
      await loadExpectations(join(TESTCASES, 'expectations', 'images.yaml'));
    });

    it('expect the known bugs to fail only on the cloud-init releases before their fixes', async () => {
      const cases = await loadCases([TESTCASES], collectorNames());
      const ours = await loadExpectations(join(TESTCASES, 'expectations', 'images.yaml'));
      const on = (name: string, cloudInit: string) => {
        const testCase = cases.find((candidate) => candidate.name === name);
        assert.ok(testCase, name);
        return cellExpectations(testCase, { image: 'images:debian/bookworm', platform: 'lxd', cloudInit }, [ours]);
      };
      for (const version of ['22.4.2-1+deb12u3', '25.1.4-1']) {
        assert.match(on('gh4195_locale_gen_debian', version).xfail ?? '', /canonical\/cloud-init#4195/);
        assert.match(on('gh6225_write_files_setgid', version).xfail ?? '', /canonical\/cloud-init#6225/);
        assert.equal(on('gh4195_locale_gen_debian', version).skip, undefined);
      }
      assert.equal(on('gh4195_locale_gen_debian', '26.2-1').xfail, undefined);
      assert.equal(on('gh6225_write_files_setgid', '25.3-1').xfail, undefined);
    });
  });

  it("skipReason still reads requires.cloud_init from a package's version", async () => {
    const testCase = await caseFrom("requires: {cloud_init: '>=23.4'}\n");
    const image = (cloudInitVersion: string | undefined) => ({ ref: 'debian/bookworm', fingerprint: 'f00d', cloudInitVersion });
    const platform = { name: 'lxd', capabilities: new Set<never>() };
    assert.equal(skipReason(testCase, platform, image('24.1-1')), undefined);
    assert.equal(skipReason(testCase, platform, image('22.4.2-1')), 'needs cloud-init >=23.4; debian/bookworm has 22.4.2-1');
    assert.match(skipReason(testCase, platform, image(undefined)) ?? '', /does not record its cloud-init version/);
  });
});
