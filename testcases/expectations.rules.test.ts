import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorNames } from '../collectors/index.js';
import { HarnessError } from '../core/errors.js';
import type { TestCase } from './case.js';
import { cellExpectations, loadExpectations, type CellPlace, type ExpectationsFile } from './expectations.js';
import { loadCase } from './loader.js';

const place = (image: string, platform = 'lxd', cloudInit: string | undefined = '22.4.2-1'): CellPlace => ({ image, platform, cloudInit });

/** One rule of how expectations files change a cell per test. */
describe('expectations rules', () => {
  let dir: string;
  let plain: TestCase;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-expectation-rules-'));
    plain = await caseOf('plain', 'facts: {user: debian, shell: bash}\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, text: string): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };
  async function caseOf(name: string, more = ''): Promise<TestCase> {
    return loadCase(await write(`${name}.yaml`, `name: ${name}\ndescription: a case\ncloud_config: {}\n${more}`), collectorNames());
  }
  const refused = async (text: string, message: RegExp): Promise<void> => {
    const file = await write('refused.yaml', text);
    await assert.rejects(loadExpectations(file), (error: unknown) => error instanceof HarnessError && error.code === 'USAGE' && message.test(error.message));
  };

  it('matches an image pattern whole, with `*` as the only wildcard', () => {
    const file: ExpectationsFile = { file: 'f', images: { 'debian/*': { skip: 'any debian' }, 'bookworm': { skip: 'a part' }, 'debian/book.orm': { skip: 'a dot' }, '*/bookworm': { skip: 'any distro' } } };
    assert.equal(cellExpectations(plain, place('debian/trixie'), [file]).skip, 'any debian');
    assert.equal(cellExpectations(plain, place('ubuntu/bookworm'), [file]).skip, 'any distro');
    assert.equal(cellExpectations(plain, place('debian/bookXorm', 'qemu'), [{ file: 'f', images: { 'debian/book.orm': { skip: 'a dot' } } }]).skip, undefined);
    assert.equal(cellExpectations(plain, place('xdebian/trixie'), [{ file: 'f', images: { 'debian/*': { skip: 'any debian' } } }]).skip, undefined);
    assert.equal(cellExpectations(plain, place('debian/bookworm+1'), [{ file: 'f', images: { 'debian/bookworm+1': { skip: 'plus' } } }]).skip, 'plus');
    assert.equal(cellExpectations(plain, place('debian/bookwormm'), [{ file: 'f', images: { 'debian/bookworm+': { skip: 'plus' } } }]).skip, undefined);
  });

  it('keys on the platform by its exact name', () => {
    const file: ExpectationsFile = { file: 'f', platforms: { lxd: { skip: 'on lxd' } } };
    assert.equal(cellExpectations(plain, place('debian/bookworm', 'lxd'), [file]).skip, 'on lxd');
    assert.equal(cellExpectations(plain, place('debian/bookworm', 'lxd-vm'), [file]).skip, undefined);
  });

  it("applies a case's entries only to that case", async () => {
    const other = await caseOf('other');
    const file: ExpectationsFile = { file: 'f', cases: { plain: { skip: 'only plain', platforms: { lxd: { facts: { user: 'lxd' } } }, images: { '*': { xfail: 'bug' } } } } };
    assert.deepEqual(cellExpectations(other, place('debian/bookworm'), [file]).applied, []);
    const cell = cellExpectations(plain, place('debian/bookworm'), [file]);
    assert.equal(cell.skip, 'only plain');
    assert.equal(cell.facts.user, 'lxd');
    assert.equal(cell.xfail, 'bug');
  });

  it('lets a later file override an earlier one, and a case entry the file-wide one', () => {
    const ours: ExpectationsFile = { file: 'ours', images: { '*': { facts: { user: 'ours' }, skip: 'ours' } } };
    const vendor: ExpectationsFile = { file: 'vendor', platforms: { lxd: { facts: { user: 'vendor-platform' } } }, cases: { plain: { facts: { user: 'vendor-case' } } } };
    const cell = cellExpectations(plain, place('debian/bookworm'), [ours, vendor]);
    assert.equal(cell.facts.user, 'vendor-case');
    assert.equal(cell.facts.shell, 'bash', 'facts merge key by key');
    assert.equal(cell.skip, 'ours');
    assert.deepEqual(cell.applied.map((entry) => `${entry.file}:${entry.key}`), ['ours:images["*"]', 'vendor:platforms.lxd', 'vendor:cases.plain']);
  });

  it('lists as changed only the facts that differ, and a mark only when its reason is new', () => {
    const file: ExpectationsFile = { file: 'f', images: { '*': { facts: { user: 'debian', shell: 'zsh' } } }, platforms: { lxd: { skip: 'same' } }, cases: { plain: { skip: 'same' } } };
    assert.deepEqual(
      cellExpectations(plain, place('debian/bookworm'), [file]).applied.map((entry) => entry.changed),
      [['skip'], ['facts.shell'], []],
    );
  });

  it('adds log_warnings and tracebacks to the case\'s own, and replaces status and schema_valid', async () => {
    const own = await caseOf('own', 'expect: {log_warnings: ["own w"], tracebacks: ["OwnError"]}\n');
    const file: ExpectationsFile = { file: 'f', cases: { own: { expect: { status: 'error', schema_valid: false, log_warnings: ['file w', { pattern: 'req', required: true }], tracebacks: [{ pattern: 'Two', count: 2 }] } } } };
    const cell = cellExpectations(own, place('debian/bookworm'), [file]);
    assert.deepEqual(cell.expect, {
      status: 'error',
      schemaValid: false,
      logWarnings: [
        { pattern: 'own w', required: false, count: undefined },
        { pattern: 'file w', required: false, count: undefined },
        { pattern: 'req', required: true, count: undefined },
      ],
      tracebacks: [
        { pattern: 'OwnError', required: false, count: undefined },
        { pattern: 'Two', required: true, count: 2 },
      ],
    });
    assert.deepEqual(cell.applied[0]?.changed, ['expect.status', 'expect.log_warnings +2', 'expect.tracebacks +1', 'expect.schema_valid']);
  });

  it('keeps what an expect overlay does not name, and lists nothing it did not change', () => {
    const file: ExpectationsFile = { file: 'f', cases: { plain: { expect: { status: 'done', schema_valid: true } } } };
    const cell = cellExpectations(plain, place('debian/bookworm'), [file]);
    assert.deepEqual(cell.expect, plain.expect);
    assert.deepEqual(cell.applied[0]?.changed, []);
  });

  it('holds a bounded mark inside its range, says why, and leaves the cell as it was outside it', () => {
    const file: ExpectationsFile = { file: 'f', cases: { plain: { skip: { reason: 'bug #1', cloud_init: '<23' }, xfail: { reason: 'bug #2', cloud_init: '>=23' } } } };
    const old = cellExpectations(plain, place('debian/bookworm', 'lxd', '22.4.2-1+deb12u4'), [file]);
    assert.equal(old.skip, 'bug #1');
    assert.equal(old.xfail, undefined);
    assert.deepEqual(old.applied[0]?.changed, ['skip (cloud-init 22.4.2-1+deb12u4 is in <23)', 'xfail not applied: cloud-init 22.4.2-1+deb12u4 is outside >=23']);
    const unknown = cellExpectations(plain, { image: 'debian/bookworm', platform: 'lxd', cloudInit: undefined }, [file]);
    assert.equal(unknown.skip, 'bug #1');
    assert.equal(unknown.xfail, 'bug #2');
    assert.deepEqual(unknown.applied[0]?.changed, ['skip (cloud-init version unknown, taken to be in <23)', 'xfail (cloud-init version unknown, taken to be in >=23)']);
    const unreadable = cellExpectations(plain, place('debian/bookworm', 'lxd', 'git-snapshot'), [file]);
    assert.equal(unreadable.skip, 'bug #1', 'a version with no release in it counts as unknown');
  });

  it("bounds the case's own xfail by its range", async () => {
    const marked = await caseOf('marked', 'xfail: {reason: "fixed in 25.1", cloud_init: "<25.1"}\n');
    assert.equal(cellExpectations(marked, place('debian/bookworm', 'lxd', '22.4.2-1'), []).xfail, 'fixed in 25.1');
    assert.equal(cellExpectations(marked, place('debian/trixie', 'lxd', '25.1.4-1'), []).xfail, undefined);
    assert.equal(cellExpectations(plain, place('debian/trixie'), []).xfail, undefined);
  });

  it('names an applied key as a person writes it, escaping what a JSON pointer must', () => {
    const file: ExpectationsFile = { file: 'f', images: { 'a~b/*': { facts: { user: 'x' } } } };
    assert.equal(cellExpectations(plain, place('a~b/c'), [file]).applied[0]?.key, 'images["a~b/*"]');
  });

  it('loads an empty file as one that changes nothing', async () => {
    const loaded = await loadExpectations(await write('empty.yaml', ''));
    assert.deepEqual(cellExpectations(plain, place('debian/bookworm'), [loaded]).applied, []);
  });

  it('refuses a file that cannot be read, is not YAML or has a misplaced field, naming the file', async () => {
    await assert.rejects(loadExpectations(join(dir, 'absent.yaml')), (error: unknown) => error instanceof HarnessError && /cannot read expectations file .*absent\.yaml/.test(error.message));
    await refused('images:\n  "*": {facts: [unclosed\n', /refused\.yaml:\d+: not valid YAML/);
    await refused('cases:\n  plain:\n    nonsense: 1\n', /refused\.yaml: cases\.plain has unknown field "nonsense"/);
    await refused('platforms:\n  lxd: {skip: 3}\n', /refused\.yaml: platforms\.lxd\.skip must be/);
    await refused('cases:\n  plain:\n    platforms:\n      lxd: {expect: {tracebacks: ["(bad"]}}\n', /cases\.plain\.platforms\.lxd\.expect\.tracebacks\[0\] is not a valid regular expression/);
  });
});
