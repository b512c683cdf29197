import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebArtifact, InstallableBuild } from '../harness/build-under-test/build-source.js';
import { checkBuild } from '../harness/build-under-test/check-build.js';
import { inspectDeb } from '../harness/build-under-test/deb-artifact.js';
import { parseAptSourceLine, parseBuildSpec } from '../harness/build-under-test/parse-build-spec.js';
import { artifactHashes, preparedAlias, preparedHash } from '../harness/build-under-test/prepare-recipe.js';
import { preparedToPrune } from '../harness/build-under-test/prune-prepared.js';
import type { HarnessError } from '../core/errors.js';
import type { ImageInfo } from '../platforms/types.js';
import { makeDeb } from './build-fixtures.js';

const usage = (pattern: RegExp) => (error: HarnessError) => {
  assert.equal(error.code, 'USAGE');
  assert.equal(error.exitCode, 2);
  assert.match(error.message, pattern);
  return true;
};

describe('--build: parsing the spec', () => {
  it('reads none, one or several debs (resolved against cwd), a source tree and a repository line', () => {
    assert.deepEqual(parseBuildSpec('none', '/w'), { kind: 'none' });
    assert.deepEqual(parseBuildSpec('deb:./a.deb', '/w'), { kind: 'deb', paths: ['/w/a.deb'] });
    assert.deepEqual(parseBuildSpec('deb:a.deb, /x/b.deb', '/w'), { kind: 'deb', paths: ['/w/a.deb', '/x/b.deb'] });
    assert.deepEqual(parseBuildSpec('source:../cloud-init', '/w/main'), { kind: 'source', dir: '/w/cloud-init' });
    assert.deepEqual(parseBuildSpec('repo:deb http://host/debian bookworm main contrib', '/w'), {
      kind: 'repo',
      line: { text: 'deb http://host/debian bookworm main contrib', uri: 'http://host/debian', suite: 'bookworm', components: ['main', 'contrib'] },
    });
  });

  it('reads apt source lines with options and flat repositories', () => {
    assert.deepEqual(parseAptSourceLine(' deb [arch=amd64 trusted=yes] https://h/d stable main '), {
      text: 'deb [arch=amd64 trusted=yes] https://h/d stable main',
      uri: 'https://h/d',
      suite: 'stable',
      components: ['main'],
    });
    assert.equal(parseAptSourceLine('deb file:/srv/repo ./').suite, './');
  });

  it('rejects what is not a build source, each with one usage error', () => {
    assert.throws(() => parseBuildSpec('rpm:x.rpm', '/w'), usage(/is not a build source/));
    assert.throws(() => parseBuildSpec('./x.deb', '/w'), usage(/is not a build source/));
    assert.throws(() => parseBuildSpec('deb:', '/w'), usage(/path is empty/));
    assert.throws(() => parseBuildSpec('deb:a.deb,', '/w'), usage(/path is empty/));
    assert.throws(() => parseBuildSpec('source:', '/w'), usage(/no source folder/));
  });

  it('rejects apt lines that do not parse, saying why', () => {
    assert.throws(() => parseAptSourceLine('http://h/d bookworm main'), usage(/must start with "deb"/));
    assert.throws(() => parseAptSourceLine('deb-src http://h/d bookworm main'), usage(/deb-src/));
    assert.throws(() => parseAptSourceLine('deb'), usage(/no URI/));
    assert.throws(() => parseAptSourceLine('deb host/debian bookworm main'), usage(/is not a URI/));
    assert.throws(() => parseAptSourceLine('deb http://h/d'), usage(/no suite/));
    assert.throws(() => parseAptSourceLine('deb http://h/d bookworm'), usage(/needs at least one component/));
    assert.throws(() => parseAptSourceLine('deb file:/r ./ main'), usage(/takes no components/));
  });
});

describe('--build: checking the files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-build-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a real .deb's package, version and sha256", async () => {
    const path = await makeDeb(dir, 'cloud-init', '99.1-1+test');
    const deb = await inspectDeb(path);
    assert.equal(deb.package, 'cloud-init');
    assert.equal(deb.version, '99.1-1+test');
    assert.match(deb.sha256, /^[0-9a-f]{64}$/);
  });

  it('rejects a missing file, a folder, a file that is not an ar archive, and an ar archive that is not a .deb', async () => {
    await assert.rejects(inspectDeb(join(dir, 'missing.deb')), usage(/does not exist/));
    await assert.rejects(inspectDeb(dir), usage(/is not a file/));
    await writeFile(join(dir, 'text.deb'), 'hello\n');
    await assert.rejects(inspectDeb(join(dir, 'text.deb')), usage(/is not a \.deb \(no ar archive header\)/));
    await writeFile(join(dir, 'ar.deb'), '!<arch>\nnot really\n');
    await assert.rejects(inspectDeb(join(dir, 'ar.deb')), usage(/is not a valid \.deb/));
  });

  it('checks every deb of a list, and a source tree by its shape', async () => {
    const good = await makeDeb(dir, 'python3-debconf', '1.5.82');
    await assert.rejects(checkBuild({ kind: 'deb', paths: [good, join(dir, 'nope.deb')] }), usage(/nope\.deb does not exist/));
    await assert.rejects(checkBuild({ kind: 'source', dir: join(dir, 'nowhere') }), usage(/is not a folder/));
    await assert.rejects(checkBuild({ kind: 'source', dir }), usage(/neither debian\/control nor packages\/bddeb/));
    await mkdir(join(dir, 'tree', 'packages'), { recursive: true });
    await writeFile(join(dir, 'tree', 'packages', 'bddeb'), '');
    await assert.rejects(checkBuild({ kind: 'source', dir: join(dir, 'tree') }), usage(/not a git checkout/));
  });
});

describe('--build: naming prepared images', () => {
  const deb = (sha256: string): DebArtifact => ({ path: `/x/${sha256}.deb`, sha256, package: 'p', version: '1' });
  const debs = (...shas: string[]): InstallableBuild => ({ kind: 'deb', debs: shas.map(deb) });

  it('gives the same inputs the same name, whatever the order of the debs or how they were made', () => {
    assert.equal(preparedHash('base', debs('a', 'b')), preparedHash('base', debs('b', 'a')));
    assert.equal(preparedHash('base', debs('a')), preparedHash('base', { kind: 'source', dir: '/src', debs: [deb('a')] }));
    assert.deepEqual(artifactHashes(debs('b', 'a')), ['a', 'b']);
    assert.match(preparedAlias(preparedHash('base', debs('a'))), /^cloudproof\/prepared\/[0-9a-f]{16}$/);
  });

  it('changes the name when the base, an artifact or the kind of build changes', () => {
    const names = new Set([
      preparedHash('base', debs('a')),
      preparedHash('other-base', debs('a')),
      preparedHash('base', debs('a', 'c')),
      preparedHash('base', { kind: 'repo', line: parseAptSourceLine('deb http://h/d s main'), sha256: 'a' }),
    ]);
    assert.equal(names.size, 4);
  });
});

describe('harness images prune: choosing', () => {
  const image = (fingerprint: string, properties: Record<string, string>, createdAt: string, lastUsedAt?: string): ImageInfo => ({
    ref: fingerprint, fingerprint, aliases: [], properties, createdAt, sizeBytes: 1, ...(lastUsedAt === undefined ? {} : { lastUsedAt }),
  });
  const prepared = { 'cloudproof.prepared': 'true' };
  const images = [
    image('base', {}, '2020-01-01T00:00:00Z'),
    image('old-unused', prepared, '2026-01-01T00:00:00Z'),
    image('old-but-used', prepared, '2026-01-01T00:00:00Z', '2026-11-27T00:00:00Z'),
    image('fresh', prepared, '2026-11-28T00:00:00Z'),
    image('undated', prepared, ''),
  ];
  const now = new Date('2026-11-28T12:00:00Z');

  it('picks prepared images unused for N days, never a base image nor one of unknown age', () => {
    assert.deepEqual(preparedToPrune(images, { all: false, unusedDays: 14, now }).map((choice) => choice.image.fingerprint), ['old-unused']);
    assert.deepEqual(preparedToPrune(images, { all: false, unusedDays: 1, now }).map((choice) => choice.image.fingerprint), ['old-unused', 'old-but-used']);
  });

  it('picks every prepared image with --all', () => {
    assert.deepEqual(preparedToPrune(images, { all: true, unusedDays: 14, now }).map((choice) => choice.image.fingerprint), ['old-unused', 'old-but-used', 'fresh', 'undated']);
  });
});
