import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { HarnessError } from '../core/errors.js';
import { parsePolicyCandidates, parseReadDependencies } from '../harness/build-under-test/build-depends.js';
import { formatClause, namesOf, parseClause, parseDependsField, parseUnmetList } from '../harness/build-under-test/depends.js';
import { extraPackagesProperty, installedVersions, parseControlFields, readExtraPackagesProperty, reasonFor, simulatedInstalls, type DebControl } from '../harness/build-under-test/runtime-depends.js';
import { makeScratchTree } from '../harness/build-under-test/scratch-tree.js';
import { findCachedBuild, makeWorkDir, sourceBuildsDir, storeBuild } from '../harness/build-under-test/source-build-cache.js';
import { buildKey, checkSourceTree, treeVersion } from '../harness/build-under-test/source-build.js';
import { describesFromTag, identityKey, parseStatusZ, readTreeIdentity, versionOf } from '../harness/build-under-test/tree-identity.js';

const usage = (pattern: RegExp) => (error: HarnessError) => {
  assert.equal(error.code, 'USAGE');
  assert.equal(error.exitCode, 2);
  assert.match(error.message, pattern);
  return true;
};

const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t.invalid', GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z' };
const git = async (dir: string, ...args: string[]): Promise<string> =>
  (await execa('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', '-C', dir, ...args], { env: GIT_ENV })).stdout;

describe('source builds: dependency fields', () => {
  it('reads alternatives, version restrictions, architecture qualifiers, architecture lists and profiles', () => {
    assert.deepEqual(parseClause('python3-yaml'), [{ name: 'python3-yaml', arch: undefined, version: undefined }]);
    assert.deepEqual(parseClause('debhelper-compat (= 13)'), [{ name: 'debhelper-compat', arch: undefined, version: { op: '=', version: '13' } }]);
    assert.deepEqual(parseClause('cloud-utils | cloud-guest-utils (>= 0.29)'), [
      { name: 'cloud-utils', arch: undefined, version: undefined },
      { name: 'cloud-guest-utils', arch: undefined, version: { op: '>=', version: '0.29' } },
    ]);
    assert.deepEqual(parseClause('python3:any (>= 3.11~) [amd64 arm64] <!nocheck> <!stage1>'), [{ name: 'python3', arch: 'any', version: { op: '>=', version: '3.11~' } }]);
    assert.deepEqual(parseClause('libc6 (< 2.37)')?.[0]?.version, { op: '<=', version: '2.37' }, 'the obsolete < means <=');
    assert.equal(parseClause('Not A Package'), undefined);
    assert.equal(parseClause('foo (~= 1)'), undefined);
  });

  it('reads a Depends field clause by clause, and names the parts it cannot read', () => {
    const { clauses, unreadable } = parseDependsField('python3-configobj, python3-jinja2,\n python3:any, iproute2 | iproute, , isc-dhcp-client (>= 4.4) , Bad_Name');
    assert.deepEqual(clauses.map(formatClause), ['python3-configobj', 'python3-jinja2', 'python3:any', 'iproute2 | iproute', 'isc-dhcp-client (>= 4.4)']);
    assert.deepEqual(unreadable, ['Bad_Name']);
  });

  it("reads dpkg-checkbuilddeps' unmet list, which separates clauses with spaces, not commas", () => {
    const unmet = parseUnmetList('debhelper (>= 10) dh-python python3-yaml | python3-foo foo:native (>= 1:2.0~rc1) python3-httpretty (>= 0.9.5) aa | bb (<< 2) | cc');
    assert.deepEqual(unmet.map(formatClause), ['debhelper (>= 10)', 'dh-python', 'python3-yaml | python3-foo', 'foo:native (>= 1:2.0~rc1)', 'python3-httpretty (>= 0.9.5)', 'aa | bb (<< 2) | cc']);
    assert.deepEqual(parseUnmetList(''), []);
  });

  it('gives apt the names it looks up: :any and :native dropped, a real architecture kept', () => {
    assert.deepEqual(namesOf(parseClause('python3:any | python3-x:native | libfoo:i386') ?? []), ['python3', 'python3-x', 'libfoo:i386']);
  });

  it("reads tools/read-dependencies' output (one package per line) as clauses", () => {
    const output = 'debhelper\ndh-python\nprocps\npython3-configobj\npython3-debconf\npython3-jinja2\n\npython3-yaml\n';
    const { clauses, unreadable } = parseReadDependencies(output);
    assert.deepEqual(clauses.map(formatClause), ['debhelper', 'dh-python', 'procps', 'python3-configobj', 'python3-debconf', 'python3-jinja2', 'python3-yaml']);
    assert.deepEqual(unreadable, []);
    assert.deepEqual(parseReadDependencies('Traceback (most recent call last):\npython3-yaml\n').unreadable, ['Traceback (most recent call last):']);
  });

  it("reads apt-cache policy's candidates; a package it does not know has no block", () => {
    const output = ['debhelper:', '  Installed: 13.11.4', '  Candidate: 13.11.4', '  Version table:', ' *** 13.11.4 500', 'debhelper-compat:', '  Installed: (none)', '  Candidate: (none)', '  Version table:', ''].join('\n');
    const candidates = parsePolicyCandidates(output);
    assert.equal(candidates.get('debhelper'), '13.11.4');
    assert.ok(candidates.has('debhelper-compat') && candidates.get('debhelper-compat') === undefined);
    assert.equal(candidates.has('dh-systemd'), false);
  });
});

describe('source builds: runtime dependencies the image lacks', () => {
  const control = (name: string, fields: Partial<DebControl> = {}): DebControl => ({ package: name, depends: '', preDepends: '', provides: '', ...fields });

  it('reads control fields with continuation lines, and the installed packages of a dpkg status file', () => {
    const fields = parseControlFields('Package: cloud-init\nDepends: python3-yaml,\n python3-debconf\nPre-Depends: dpkg (>= 1.17)\n');
    assert.equal(fields.get('Depends'), 'python3-yaml, python3-debconf');
    assert.equal(fields.get('Pre-Depends'), 'dpkg (>= 1.17)');
    const status = [
      'Package: debconf\nStatus: install ok installed\nVersion: 1.5.82\n',
      'Package: isc-dhcp-client\nStatus: deinstall ok config-files\nVersion: 4.4.3-P1-2\n',
      'Package: python3-yaml\nStatus: install ok installed\nPriority: optional\nVersion: 6.0-3+b2\nDescription: YAML\n text\n',
    ].join('\n');
    assert.deepEqual([...installedVersions(status)], [['debconf', '1.5.82'], ['python3-yaml', '6.0-3+b2']]);
  });

  it('says which package pulled an extra in: by name, through what it provides, the image having an older one', () => {
    const build = control('cloud-init', { depends: 'python3-configobj, python3:any, iproute2, isc-dhcp-client, python3-debconf', preDepends: 'init-system-helpers (>= 1.54)' });
    const debconf = control('python3-debconf', { depends: 'debconf (= 1.5.91)' });
    const among = [build, debconf, control('debconf')];
    assert.equal(reasonFor(debconf, among, new Map()), 'cloud-init Depends: python3-debconf');
    assert.equal(reasonFor(control('debconf'), among, new Map([['debconf', '1.5.82']])), 'python3-debconf Depends: debconf (= 1.5.91); the image has 1.5.82');
    assert.equal(reasonFor(control('init-system-helpers'), among, new Map()), 'cloud-init Pre-Depends: init-system-helpers (>= 1.54)');
    assert.equal(reasonFor(control('isc-dhcp-client-ddns', { provides: 'isc-dhcp-client' }), among, new Map()), 'cloud-init Depends: isc-dhcp-client');
    assert.equal(reasonFor(control('libfoo1'), among, new Map()), "apt chose it to satisfy the build's dependencies");
  });

  it("reads what apt's simulation would install, the build's own package among them", () => {
    const output = [
      'NOTE: This is only a simulation!',
      'Inst python3-debconf (1.5.91 Debian:13.8/stable [all])',
      'Inst cloud-init [25.1.4-1+deb13u1] (22.4.2-1-g8e127320-1~bddeb local-deb [all])',
      'Inst libfoo1:amd64 (1.0 Debian:13.8/stable [amd64])',
      'Conf python3-debconf (1.5.91 Debian:13.8/stable [all])',
    ].join('\n');
    assert.deepEqual(simulatedInstalls(output), ['python3-debconf', 'cloud-init', 'libfoo1']);
    assert.deepEqual(simulatedInstalls('Reading package lists...\n'), []);
  });

  it('carries the extra packages in an image property, and reads nothing from one that holds something else', () => {
    const extras = [{ package: 'python3-debconf', version: '1.5.82', reason: 'cloud-init Depends: python3-debconf' }];
    assert.deepEqual(readExtraPackagesProperty(extraPackagesProperty(extras)), extras);
    assert.deepEqual(readExtraPackagesProperty(undefined), []);
    assert.deepEqual(readExtraPackagesProperty('not json'), []);
    assert.deepEqual(readExtraPackagesProperty('[{"package": 1}, {"package": "a", "version": "1", "reason": "r"}]'), [{ package: 'a', version: '1', reason: 'r' }]);
  });
});

describe('source builds: the identity and version of a tree', () => {
  let dir: string;
  let repo: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-source-identity-'));
    repo = join(dir, 'cloud-init');
    await mkdir(join(repo, 'packages'), { recursive: true });
    await mkdir(join(repo, 'tools'), { recursive: true });
    await git(dir, 'init', '-q', repo);
    await writeFile(join(repo, 'tools', 'read-dependencies'), '#!/usr/bin/env python3\n');
    await writeFile(join(repo, '.gitignore'), 'build/\n*.deb\n');
    await writeFile(join(repo, 'setup.py'), 'print("setup")\n');
    await writeFile(join(repo, 'packages', 'bddeb'), '#!/bin/sh\n');
    await chmod(join(repo, 'packages', 'bddeb'), 0o755);
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-q', '-m', 'import');
    await git(repo, 'tag', '-a', '24.1', '-m', '24.1');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names a clean checkout by its commit and describes it as upstream does', async () => {
    const identity = await readTreeIdentity(repo);
    const commit = (await git(repo, 'rev-parse', 'HEAD')).trim();
    assert.deepEqual(identity.git, { commit, describe: '24.1', dirty: false });
    assert.equal(identity.key, identityKey(commit, []));
    assert.equal((await readTreeIdentity(repo)).key, identity.key, 'the same tree, the same key');
    assert.equal(await describesFromTag(repo), true);
  });

  it('a one-line edit makes a new key and a -dirty version; undoing it gives the old key back', async () => {
    const clean = await readTreeIdentity(repo);
    await writeFile(join(repo, 'setup.py'), 'print("setup")\n# one line more\n');
    const edited = await readTreeIdentity(repo);
    assert.notEqual(edited.key, clean.key);
    assert.equal(edited.git?.describe, '24.1-dirty');
    assert.equal(edited.git?.dirty, true);
    await git(repo, 'add', 'setup.py');
    assert.equal((await readTreeIdentity(repo)).key, edited.key, 'staged or not, the same content builds the same');
    await git(repo, 'reset', '-q', 'setup.py');
    await git(repo, 'checkout', '-q', '--', 'setup.py');
    assert.equal((await readTreeIdentity(repo)).key, clean.key);
  });

  it('counts untracked files that are not ignored, and nothing that is', async () => {
    const clean = await readTreeIdentity(repo);
    await mkdir(join(repo, 'build'), { recursive: true });
    await writeFile(join(repo, 'build', 'lib.py'), 'x\n');
    await writeFile(join(repo, 'cloud-init_24.1-1~bddeb_all.deb'), 'x\n');
    assert.equal((await readTreeIdentity(repo)).key, clean.key, 'ignored files leave the key alone');
    await writeFile(join(repo, 'new_module.py'), 'x = 1\n');
    const untracked = await readTreeIdentity(repo);
    assert.notEqual(untracked.key, clean.key);
    assert.equal(untracked.git?.describe, '24.1-dirty');
    await writeFile(join(repo, 'new_module.py'), 'x = 2\n');
    assert.notEqual((await readTreeIdentity(repo)).key, untracked.key, 'the content counts, not only the name');
    await rm(join(repo, 'new_module.py'));
  });

  it('counts a file made executable, and a file deleted', async () => {
    const clean = await readTreeIdentity(repo);
    await chmod(join(repo, 'setup.py'), 0o755);
    const executable = await readTreeIdentity(repo);
    assert.notEqual(executable.key, clean.key);
    await chmod(join(repo, 'setup.py'), 0o644);
    await rm(join(repo, 'setup.py'));
    const deleted = await readTreeIdentity(repo);
    assert.ok(deleted.key !== clean.key && deleted.key !== executable.key);
    await git(repo, 'checkout', '-q', '--', 'setup.py');
  });

  it('describes a commit after the tag as git describe does, and needs an annotated tag for bddeb', async () => {
    const other = join(dir, 'lightweight');
    await git(dir, 'clone', '-q', repo, other);
    await writeFile(join(other, 'setup.py'), 'print("two")\n');
    await git(other, 'commit', '-q', '-a', '-m', 'two');
    const identity = await readTreeIdentity(other);
    assert.match(identity.git?.describe ?? '', /^24\.1-1-g[0-9a-f]{8}$/);
    await git(other, 'tag', '-d', '24.1');
    await git(other, 'tag', '24.1');
    assert.equal(await describesFromTag(other), false, 'a lightweight tag is not what upstream describe matches');
    assert.match((await readTreeIdentity(other)).git?.describe ?? '', /^[0-9a-f]{8}$/, 'without one, the abbreviated commit');
    await assert.rejects(checkSourceTree(other), usage(/has no annotated tag that git describe finds/));
  });

  it('checks a bddeb tree before anything: its method, identity and version', async () => {
    const tree = await checkSourceTree(repo);
    assert.equal(tree.method, 'bddeb');
    assert.equal(treeVersion(tree), '24.1');
    assert.notEqual(buildKey(tree), buildKey({ ...tree, method: 'dpkg-buildpackage' }));
    assert.notEqual(buildKey(tree), buildKey({ ...tree, identity: { ...tree.identity, key: 'other' } }));
  });

  it('says which file to look at when the tree names no build dependencies', async () => {
    const bare = join(dir, 'bare');
    await git(dir, 'clone', '-q', repo, bare);
    await git(bare, 'rm', '-q', 'tools/read-dependencies');
    await git(bare, 'commit', '-q', '-m', 'no read-dependencies');
    await assert.rejects(checkSourceTree(bare), usage(/has packages\/bddeb but no tools\/read-dependencies/));
    const controlOnly = join(dir, 'control-only');
    await mkdir(join(controlOnly, 'debian'), { recursive: true });
    await writeFile(join(controlOnly, 'debian', 'control'), 'Source: cloud-init\nMaintainer: x\n\nPackage: cloud-init\nArchitecture: all\n');
    await assert.rejects(checkSourceTree(controlOnly), (error: HarnessError) => usage(/debian\/control names no Build-Depends/)(error) && /look at .*debian\/control/.test(error.hint ?? ''));
  });

  it('hashes a tree without git file by file, even inside another checkout', async () => {
    const plain = join(repo, 'build', 'plain');
    await mkdir(join(plain, 'debian'), { recursive: true });
    await writeFile(join(plain, 'debian', 'control'), 'Source: cloud-init\nBuild-Depends: debhelper\n');
    const first = await checkSourceTree(plain);
    assert.equal(first.method, 'dpkg-buildpackage');
    assert.equal(first.identity.git, undefined);
    assert.match(treeVersion(first), /^files [0-9a-f]{12}$/);
    await writeFile(join(plain, 'debian', 'rules'), '#!/usr/bin/make -f\n');
    assert.notEqual((await readTreeIdentity(plain)).key, first.identity.key);
  });

  it('copies a dirty checkout for its build with the changes committed on top, the same changes always making the same commit', async () => {
    await writeFile(join(repo, 'setup.py'), 'print("edited")\n');
    await writeFile(join(repo, 'untracked.py'), 'y = 1\n');
    const identity = await readTreeIdentity(repo);
    const statusBefore = await git(repo, 'status', '--porcelain');
    const first = await makeScratchTree(repo, identity, join(dir, 'scratch-1'), new AbortController().signal);
    const second = await makeScratchTree(repo, identity, join(dir, 'scratch-2'), new AbortController().signal);
    assert.ok(first.scratchCommit !== undefined && first.scratchCommit === second.scratchCommit);
    assert.equal(await readFile(join(first.dir, 'setup.py'), 'utf8'), 'print("edited")\n');
    assert.equal(await readFile(join(first.dir, 'untracked.py'), 'utf8'), 'y = 1\n');
    assert.equal(await git(first.dir, 'status', '--porcelain'), '', 'the copy is clean, as bddeb wants it');
    assert.match(await git(first.dir, 'describe', '--abbrev=8', '--match=[0-9]*'), /^24\.1-1-g[0-9a-f]{8}$/);
    assert.equal(await git(repo, 'status', '--porcelain'), statusBefore, "the developer's checkout is left as it was");
    assert.equal((await readTreeIdentity(repo)).key, identity.key);
    await git(repo, 'checkout', '-q', '--', 'setup.py');
    await rm(join(repo, 'untracked.py'));
    const clean = await makeScratchTree(repo, await readTreeIdentity(repo), join(dir, 'scratch-3'), new AbortController().signal);
    assert.equal(clean.scratchCommit, undefined);
    assert.equal(await git(clean.dir, 'rev-parse', 'HEAD'), await git(repo, 'rev-parse', 'HEAD'));
  });

  it('reads git status -z entries and keys the changes whatever their order', () => {
    assert.deepEqual(parseStatusZ(' M setup.py\0?? new dir/file name.py\0D  gone.py\0'), ['setup.py', 'new dir/file name.py', 'gone.py']);
    const changes = [
      { path: 'b', content: 'deleted' },
      { path: 'a', content: 'x1234' },
    ];
    assert.equal(identityKey('c0ffee', changes), identityKey('c0ffee', [...changes].reverse()));
    assert.notEqual(identityKey('c0ffee', changes), identityKey('c0ffee', []));
    assert.equal(versionOf('24.1-3-gabcdef12', true), '24.1-3-gabcdef12-dirty');
    assert.equal(versionOf('24.1', false), '24.1');
  });
});

describe('source builds: the cache of builds', () => {
  let cacheDir: string;
  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'cloudproof-source-cache-'));
  });
  afterEach(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  const store = async (key: string): Promise<void> => {
    const work = await makeWorkDir(cacheDir);
    await writeFile(join(work, `cloud-init_${key}_all.deb`), key);
    await storeBuild(cacheDir, work, [join(work, `cloud-init_${key}_all.deb`)], 'log', { key, dir: '/src', method: 'bddeb', describe: '24.1', builtAt: '2026-01-01T00:00:00Z', seconds: 1 });
    await rm(work, { recursive: true, force: true });
  };

  it('finds a build by its full key, and not one whose .debs are gone', async () => {
    const key = 'a'.repeat(64);
    await store(key);
    const found = await findCachedBuild(cacheDir, key);
    assert.equal(found?.meta.describe, '24.1');
    assert.equal(await readFile(found?.debs[0] ?? '', 'utf8'), key);
    assert.equal(await findCachedBuild(cacheDir, `${'a'.repeat(24)}${'b'.repeat(40)}`), undefined, 'a key sharing the short name is not the same build');
    await rm(found?.debs[0] ?? '');
    assert.equal(await findCachedBuild(cacheDir, key), undefined);
    await store(key);
    assert.ok(await findCachedBuild(cacheDir, key), 'a build replaces the broken entry');
  });

  it('keeps the 16 most recently used builds and clears work folders a crash left behind', async () => {
    const stale = await makeWorkDir(cacheDir);
    const old = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(stale, old, old);
    const keys = Array.from({ length: 16 }, (_, index) => index.toString(16).padEnd(64, '0'));
    for (const [index, key] of keys.entries()) {
      await store(key);
      const meta = join(sourceBuildsDir(cacheDir), key.slice(0, 24), 'build.json');
      const when = new Date(Date.parse('2026-01-01T00:00:00Z') + index * 1000);
      await utimes(meta, when, when);
    }
    // Used again: the first is now the most recent, so the second goes at the next store.
    assert.ok(await findCachedBuild(cacheDir, keys[0] ?? ''));
    await store('f'.repeat(64));
    assert.ok(await findCachedBuild(cacheDir, keys[0] ?? ''));
    assert.equal(await findCachedBuild(cacheDir, keys[1] ?? ''), undefined);
    assert.ok(await findCachedBuild(cacheDir, keys[15] ?? ''));
    assert.equal(existsSync(stale), false);
  });
});
