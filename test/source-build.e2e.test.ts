import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { readConfig } from '../harness/config.js';
import { parseDependsField } from '../harness/build-under-test/depends.js';
import { PROPERTY } from '../harness/build-under-test/prepare-recipe.js';
import { readExtraPackagesProperty } from '../harness/build-under-test/runtime-depends.js';
import { sourceBuildsDir } from '../harness/build-under-test/source-build-cache.js';
import { LABEL_RUN } from '../core/run-id.js';
import type { RunManifest } from '../results-schema/run-manifest.js';
import { lxdForTests } from './lxd-for-tests.js';

const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');
const MAKE_CHECKOUT = join(import.meta.dirname, 'fixtures', 'make-cloud-init-checkout.sh');
/** Kept between runs: the checkouts depend only on Debian's source package. */
const CHECKOUTS = join(tmpdir(), 'cloudproof-fixtures', 'cloud-init-checkouts');
const CASE = '^clean_boot$';
const DESCRIBE = ['describe', '--abbrev=8', '--match=[0-9]*'];
const GIT = ['-c', 'user.name=cloudproof e2e', '-c', 'user.email=e2e@cloudproof.invalid', '-c', 'commit.gpgsign=false'];

interface Watched {
  readonly exitCode: number | undefined;
  readonly output: string;
  readonly manifest: RunManifest | undefined;
  /** Every instance of the run seen while it went, by name. */
  readonly instances: ReadonlySet<string>;
  readonly seconds: number;
}

/**
 * `--build source:` for real, as a cloud-init developer runs it: git checkouts made from
 * Debian's own cloud-init source (test/fixtures/make-cloud-init-checkout.sh), built on
 * this host through the upstream route (packages/bddeb) and the Debian route
 * (dpkg-buildpackage), booted on bookworm and seen inside at the version each tree
 * carries. Each run commits something of its own on top of the cached checkouts, so its
 * builds and prepared images are its alone and are removed at the end.
 */
describe('harness run --build source: of cloud-init git checkouts on LXD @e2e', function () {
  this.timeout(20 * 60_000);
  const platform = lxdForTests();
  const cacheDir = readConfig(process.env, false).cacheDir;
  const manifests: RunManifest[] = [];
  let work: string;
  let results: string;
  let upstream: string;
  let debian: string;
  let first: Watched | undefined;

  const git = async (dir: string, ...args: string[]): Promise<string> => (await execa('git', [...GIT, '-C', dir, ...args])).stdout.trim();

  /** Runs the CLI, watching LXD for instances of its run while it goes. */
  const watch = async (tree: string): Promise<Watched> => {
    const seen = new Set(await readdir(results).catch(() => [] as string[]));
    const started = performance.now();
    const child = execa('node', [HARNESS, 'run', '--platform', 'lxd', '--build', `source:${tree}`, '--grep', CASE, '--results', results], { reject: false, env: { CI: 'true' }, all: true });
    const instances = new Set<string>();
    let running = true;
    void child.finally(() => {
      running = false;
    });
    while (running) {
      const runId = (await readdir(results).catch(() => [] as string[])).find((entry) => !seen.has(entry));
      if (runId !== undefined) for (const instance of await platform.listByLabel({ [LABEL_RUN]: runId })) instances.add(instance.name);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const result = await child;
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    process.stdout.write(`${result.all}\n(${seconds} s)\n`);
    const runId = (await readdir(results)).find((entry) => !seen.has(entry));
    const manifest = runId === undefined ? undefined : await readFile(join(results, runId, 'run.json'), 'utf8').then((text) => JSON.parse(text) as RunManifest, () => undefined);
    if (manifest !== undefined) manifests.push(manifest);
    return { exitCode: result.exitCode, output: result.all, manifest, instances, seconds };
  };
  const versionCollector = async (manifest: RunManifest): Promise<string[]> =>
    (await readFile(join(results, manifest.runId, manifest.cells[0]?.dir ?? '', 'collectors', 'cloud-init-version.out'), 'utf8')).trim().split('\n');
  /** What the build depends on by one name only that the base image does not have, as images/ recorded its packages. */
  const missingFromBase = async (deb: string, baseFingerprint: string): Promise<string[]> => {
    const installed = new Set((await readFile(join(cacheDir, 'images', baseFingerprint, 'packages.txt'), 'utf8')).split('\n').map((line) => line.split(' ')[0]));
    const depends = parseDependsField((await execa('dpkg-deb', ['--field', deb, 'Depends'])).stdout).clauses;
    return depends.flatMap((clause) => {
      const [only] = clause;
      return clause.length === 1 && only !== undefined && only.arch === undefined && !installed.has(only.name) ? [only.name] : [];
    });
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-source-e2e-'));
    results = join(work, 'results');
    const made = await execa('bash', [MAKE_CHECKOUT, CHECKOUTS], { all: true, reject: false });
    assert.equal(made.exitCode, 0, made.all);
    const [upstreamCheckout = '', debianCheckout = ''] = made.stdout.trim().split('\n');
    const id = randomUUID().slice(0, 8);
    upstream = join(work, 'upstream');
    await execa('git', ['clone', '-q', upstreamCheckout, upstream]);
    await writeFile(join(upstream, 'cloudproof-e2e-run'), `${id}\n`);
    await git(upstream, 'add', 'cloudproof-e2e-run');
    await git(upstream, 'commit', '-q', '-m', `this e2e run: ${id}`);
    debian = join(work, 'debian');
    await execa('git', ['clone', '-q', debianCheckout, debian]);
    const changelog = await readFile(join(debian, 'debian', 'changelog'), 'utf8');
    const version = /^cloud-init \(([^)]+)\)/.exec(changelog)?.[1] ?? '';
    await writeFile(join(debian, 'debian', 'changelog'), `cloud-init (${version}.e2e${id}) UNRELEASED; urgency=medium\n\n  * This e2e run.\n\n -- cloudproof e2e <e2e@cloudproof.invalid>  Sun, 01 Jan 2023 00:00:00 +0000\n\n${changelog}`);
    await git(debian, 'commit', '-q', '-a', '-m', `this e2e run: ${id}`);
  });

  after(async () => {
    const builds = new Set(manifests.flatMap((manifest) => (manifest.build.kind === 'none' ? [] : manifest.build.artifacts)));
    const shas = new Set([...builds].map((artifact) => artifact.sha256));
    for (const image of await platform.listImages()) {
      if (image.properties[PROPERTY.artifacts]?.split(',').some((sha) => shas.has(sha))) await platform.deleteImage(image.fingerprint);
    }
    for (const artifact of builds) if (dirname(dirname(artifact.path)) === sourceBuildsDir(cacheDir)) await rm(dirname(artifact.path), { recursive: true, force: true });
    await platform.close();
    await rm(work, { recursive: true, force: true });
  });

  it('upstream route: packages/bddeb builds the checkout; booted on bookworm, dpkg and cloud-init --version say its git describe; what the image lacked came along and is listed', async () => {
    const describe = await git(upstream, ...DESCRIBE);
    assert.match(describe, /^\d+\.\d+(\.\d+)?-2-g[0-9a-f]{8}$/, 'two commits past the tag: the fixture fix and this run');
    first = await watch(upstream);
    assert.equal(first.exitCode, 0, 'clean_boot passes on the build');
    assert.match(first.output, new RegExp(`building ${upstream} at ${describe} with bddeb`));
    const manifest = first.manifest;
    assert.ok(manifest?.build.kind === 'source' && manifest.build.flow === 'prepared');
    const build = manifest.build;
    assert.deepEqual(build.tree, { method: 'bddeb', identity: build.tree?.identity, commit: await git(upstream, 'rev-parse', 'HEAD'), describe, dirty: false });
    const version = `${describe}-1~bddeb`;
    assert.deepEqual(build.artifacts.map((artifact) => [artifact.package, artifact.version]), [['cloud-init', version]]);
    const [image] = build.images;
    assert.equal(image?.installedVersion, version);
    assert.equal(image?.reused, false);
    assert.ok(image !== undefined && image.preparedFingerprint !== undefined);
    const lacking = await missingFromBase(build.artifacts[0]?.path ?? '', image.baseFingerprint);
    const extras = image.extraPackages ?? [];
    for (const name of lacking) assert.ok(extras.some((extra) => extra.package === name && extra.reason === `cloud-init Depends: ${name}`), `${name} came along: ${JSON.stringify(extras)}`);
    for (const extra of extras) assert.match(`${extra.version} ${extra.reason}`, /^\S+ \S+ (Pre-)?Depends: /);
    const published = await platform.findImage(image.preparedFingerprint);
    assert.equal(published?.properties[PROPERTY.tree], describe);
    assert.deepEqual(readExtraPackagesProperty(published?.properties[PROPERTY.extraPackages]), extras);
    assert.equal(manifest.cells[0]?.verdict, 'passed');
    const [dpkg, reported] = await versionCollector(manifest);
    assert.equal(dpkg, version, 'dpkg-query inside');
    assert.equal(reported, `/usr/bin/cloud-init ${version}`, 'cloud-init --version inside');
  });

  it('the same checkout a second time: no build, no preparation instance, the prepared image reused', async () => {
    assert.ok(first?.manifest?.build.kind === 'source', 'the first run made the build');
    const firstImage = first.manifest.build.images[0];
    const again = await watch(upstream);
    assert.equal(again.exitCode, 0);
    assert.match(again.output, /reusing the build of .* \(same tree, not built again\)/);
    assert.doesNotMatch(again.output, /building |installing the build dependencies/);
    assert.match(again.output, /reusing prepared image cloudproof\/prepared\/[0-9a-f]{16}/);
    assert.deepEqual([...again.instances].filter((name) => name.includes('-prepare-')), [], 'no preparation instance was launched');
    assert.ok(again.manifest?.build.kind === 'source');
    const image = again.manifest.build.images[0];
    assert.equal(image?.reused, true);
    assert.equal(image?.preparedFingerprint, firstImage?.preparedFingerprint);
    assert.deepEqual(image?.extraPackages, firstImage?.extraPackages, 'the reused image says what it got');
    assert.deepEqual(again.manifest.build.tree, first.manifest.build.tree);
    assert.equal(again.manifest.cells[0]?.verdict, 'passed');
    process.stdout.write(`first run ${first.seconds} s, second run ${again.seconds} s\n`);
  });

  it('Debian route: dpkg-buildpackage builds a checkout with debian/; booted on bookworm, dpkg says the version of its changelog', async () => {
    const describe = await git(debian, ...DESCRIBE);
    const version = /^cloud-init \(([^)]+)\)/.exec(await readFile(join(debian, 'debian', 'changelog'), 'utf8'))?.[1] ?? '';
    const upstreamVersion = await git(debian, 'describe', '--abbrev=0', '--match=[0-9]*');
    const run = await watch(debian);
    assert.equal(run.exitCode, 0, 'clean_boot passes on the build');
    assert.match(run.output, new RegExp(`building ${debian} at ${describe} with dpkg-buildpackage`));
    assert.ok(run.manifest?.build.kind === 'source');
    const build = run.manifest.build;
    assert.equal(build.tree?.method, 'dpkg-buildpackage');
    assert.equal(build.tree?.describe, describe);
    assert.deepEqual(build.artifacts.map((artifact) => [artifact.package, artifact.version]), [['cloud-init', version]]);
    assert.equal(build.images[0]?.installedVersion, version);
    assert.deepEqual(build.images[0]?.extraPackages, [], "Debian's own package needs nothing its release's image lacks");
    assert.equal(run.manifest.cells[0]?.verdict, 'passed');
    const [dpkg, reported] = await versionCollector(run.manifest);
    assert.equal(dpkg, version, 'dpkg-query inside');
    assert.equal(reported, `/usr/bin/cloud-init ${upstreamVersion}`, "cloud-init --version inside (Debian's package reports the upstream version)");
  });

  it('a checkout needing a build dependency no archive has: exit 2 before any instance, naming it', async () => {
    // At the tag, before the fixture's fix: packages/pkg-deps.json still names dh-systemd.
    const atTag = join(work, 'at-tag');
    await execa('git', ['clone', '-q', upstream, atTag]);
    await git(atTag, 'checkout', '-q', await git(upstream, 'describe', '--abbrev=0', '--match=[0-9]*'));
    const run = await watch(atTag);
    assert.equal(run.exitCode, 2);
    assert.match(run.output, /needs dh-systemd to build, which no archive this host's apt knows has \(named by tools\/read-dependencies\)/);
    assert.doesNotMatch(run.output, /apt-get build-dep/);
    assert.deepEqual([...run.instances], [], 'no instance was launched');
    assert.equal(run.manifest, undefined, 'the run stopped before it was recorded');
  });
});
