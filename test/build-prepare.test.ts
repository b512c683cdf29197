import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildOptions } from '../harness/build/build-stage.js';
import { REPO_LIST, REPO_PIN } from '../harness/build/install-build.js';
import { parseAptSourceLine } from '../harness/build/parse-build-spec.js';
import { CLEAN_SCRIPT } from '../harness/build/prepare-recipe.js';
import type { HarnessError } from '../harness/errors.js';
import type { CellRecord } from '../harness/harvest/cell-record.js';
import { silentObserver } from '../harness/run/observer.js';
import { runHarness, type RunOptions } from '../harness/run/run-loop.js';
import type { Capability, ExecResult, ExecSpec, ImageInfo, ImportSpec, Instance, InstanceSummary, Labels, LaunchSpec, Platform, PublishSpec } from '../platforms/types.js';
import { makeDeb } from './build-fixtures.js';
import { FakeInstance, FakePlatform } from './fake-platform.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'cases');
const BUILD_VERSION = '99.1-1+test';
const REPO_URI = 'http://archive.example.invalid/debian';

/**
 * The fake platform, able to prepare images: it records what each instance was told and
 * answers dpkg and apt as a test says. Cases' instances play back a harvest as the plain
 * fake's do.
 */
class PreparingPlatform implements Platform {
  readonly name = 'fake';
  readonly capabilities: ReadonlySet<Capability>;
  readonly fake = new FakePlatform(() => ({ outputs: { marker: 'hi\n' } }));
  readonly images: ImageInfo[] = this.fake.images;
  readonly instances = new Map<string, Instance>();
  readonly specs: LaunchSpec[] = [];
  readonly commands: { readonly instance: string; readonly command: string }[] = [];
  readonly pushes: { readonly instance: string; readonly path: string; readonly content: string }[] = [];
  readonly restarts: string[] = [];
  readonly published: PublishSpec[] = [];
  readonly deletedImages: string[] = [];
  installedVersion = BUILD_VERSION;
  repoOffers = REPO_URI;

  constructor(capabilities: readonly Capability[] = ['out-of-band-exec', 'publish', 'reboot']) {
    this.capabilities = new Set(capabilities);
  }

  connect = () => this.fake.connect();
  describe = () => this.fake.describe();
  resolveImage = (ref: string) => this.fake.resolveImage(ref);
  findImage = (ref: string) => this.fake.findImage(ref);
  listImages = () => this.fake.listImages();
  importImage = (spec: ImportSpec) => this.fake.importImage(spec);
  close = () => this.fake.close();

  async deleteImage(fingerprint: string): Promise<void> {
    this.deletedImages.push(fingerprint);
    const index = this.images.findIndex((image) => image.fingerprint === fingerprint);
    if (index >= 0) this.images.splice(index, 1);
  }

  async launch(spec: LaunchSpec): Promise<Instance> {
    const instance = new ScriptedInstance(this, spec, (await this.fake.launch(spec)) as FakeInstance);
    this.instances.set(spec.name, instance);
    this.specs.push(spec);
    return instance;
  }

  async listByLabel(labels: Labels): Promise<readonly InstanceSummary[]> {
    return [...this.instances.values()]
      .filter((instance) => Object.entries(labels).every(([key, value]) => instance.labels[key] === value))
      .map((instance) => ({ name: instance.name, labels: instance.labels, status: 'Running', createdAt: '' }));
  }

  async destroy(name: string): Promise<void> {
    await this.instances.get(name)?.delete();
  }

  launched(): string[] {
    return this.specs.map((spec) => spec.name);
  }

  preparations(): string[] {
    return this.launched().filter((name) => name.includes('-prepare-'));
  }
}

class ScriptedInstance implements Instance {
  readonly name: string;
  readonly labels: Labels;
  private readonly platform: PreparingPlatform;
  private readonly plain: FakeInstance;

  constructor(platform: PreparingPlatform, spec: LaunchSpec, plain: FakeInstance) {
    this.platform = platform;
    this.name = spec.name;
    this.labels = spec.labels;
    this.plain = plain;
  }

  async exec(spec: ExecSpec): Promise<ExecResult> {
    const command = spec.command.join(' ');
    this.platform.commands.push({ instance: this.name, command });
    const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout: Buffer.from(stdout), stderr: Buffer.alloc(0) });
    switch (spec.command[0]) {
      case 'mkdir':
      case 'apt-get':
        return ok();
      case 'dpkg-query':
        return ok(`cloud-init\t${this.platform.installedVersion}\tii \n`);
      case 'apt-cache':
        return ok(` cloud-init | ${this.platform.installedVersion} | ${this.platform.repoOffers} bookworm/main amd64 Packages\n`);
      default:
        // The clean script; `cloud-init status --wait` and the harvest go to the plain fake.
        return spec.command[0] === 'sh' && spec.command[1] === '-c' ? ok() : this.plain.exec(spec);
    }
  }

  async push(path: string, content: Uint8Array | string): Promise<void> {
    this.platform.pushes.push({ instance: this.name, path, content: Buffer.from(content).toString('utf8') });
  }

  async pull(): Promise<Buffer | undefined> {
    return undefined;
  }

  async consoleLog(): Promise<string> {
    return '';
  }

  async restart(): Promise<void> {
    this.platform.restarts.push(this.name);
  }

  async publish(spec: PublishSpec): Promise<ImageInfo> {
    this.platform.published.push(spec);
    const image: ImageInfo = { ref: spec.aliases[0] ?? '', fingerprint: `prepared-${this.platform.published.length}`, aliases: spec.aliases, properties: spec.properties, createdAt: '2026-11-28T00:00:00Z', sizeBytes: 1 };
    // As LXD does: the alias moves to the new image.
    const images = this.platform.images;
    images.splice(0, images.length, ...images.map((other) => ({ ...other, aliases: other.aliases.filter((alias) => !spec.aliases.includes(alias)) })), image);
    return image;
  }

  async delete(): Promise<void> {
    this.platform.instances.delete(this.name);
    await this.plain.delete();
  }

  howToReach(): string {
    return this.plain.howToReach();
  }
}

describe('run loop with a build under test (fake platform)', () => {
  let dir: string;
  let deb: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-build-run-'));
    deb = await makeDeb(dir, 'cloud-init', BUILD_VERSION);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = (platform: Platform, build: Partial<BuildOptions>, overrides: Partial<RunOptions> = {}) =>
    runHarness({
      platform,
      imageRefs: ['debian/bookworm'],
      testcaseDirs: [join(FIXTURES, 'basic')],
      expectationFiles: [],
      imageCacheDir: join(dir, 'no-image-cache'),
      selection: { grep: /marker|quiet/, tags: [], excludeTags: [] },
      concurrency: 2,
      keepFailed: false,
      resultsDir: join(dir, 'results'),
      startedBy: { kind: 'cli', argv: [] },
      signal: new AbortController().signal,
      observer: silentObserver,
      reporterOutput: 'none',
      build: { source: { kind: 'deb', paths: [deb] }, upgradeFrom: undefined, env: process.env, ...build },
      ...overrides,
    });
  const cellRecord = async (runDir: string, dirOfCell: string): Promise<CellRecord> => JSON.parse(await readFile(join(runDir, dirOfCell, 'cell.json'), 'utf8')) as CellRecord;

  it('prepares an image once: labelled instance, install, version check, clean, publish, removal; every case boots from it', async () => {
    const platform = new PreparingPlatform();
    const result = await run(platform, {});

    const [preparation] = platform.preparations();
    assert.ok(preparation, 'a preparation instance was launched');
    const labels = (platform.specs.find((spec) => spec.name === preparation))?.labels;
    assert.deepEqual({ managed: labels?.['cloudproof.managed'], run: labels?.['cloudproof.run'], role: labels?.['cloudproof.role'] }, { managed: 'true', run: result.runId, role: 'prepare' });
    const told = platform.commands.filter((entry) => entry.instance === preparation).map((entry) => entry.command);
    assert.equal(told[0], 'cloud-init status --wait');
    assert.ok(told.some((command) => command.startsWith('apt-get install -y --reinstall --allow-downgrades') && command.endsWith('/var/tmp/cloudproof-build/0-cloud-init.deb')), told.join('\n'));
    assert.ok(told.some((command) => command.startsWith('dpkg-query')));
    assert.equal(told.at(-1), `sh -c ${CLEAN_SCRIPT}`);
    assert.deepEqual(platform.pushes.map((push) => push.path), ['/var/tmp/cloudproof-build/0-cloud-init.deb']);
    assert.equal(platform.published.length, 1);
    assert.match(platform.published[0]?.aliases[0] ?? '', /^cloudproof\/prepared\/[0-9a-f]{16}$/);
    assert.equal(platform.published[0]?.properties['cloudproof.cloud-init'], BUILD_VERSION);
    assert.equal(platform.published[0]?.properties['cloudproof.prepared'], 'true');
    assert.equal(platform.published[0]?.properties['cloudproof.base'], 'f00d');
    assert.equal(platform.instances.size, 0, 'the preparation instance and the cells are gone');

    const cells = platform.specs.filter((spec) => spec.name !== preparation);
    assert.ok(cells.length === 2 && cells.every((spec) => spec.imageFingerprint === 'prepared-1'));
    const build = result.manifest.build;
    assert.ok(build.kind === 'deb');
    assert.deepEqual(build.images, [{ ref: 'debian/bookworm', baseFingerprint: 'f00d', preparedFingerprint: 'prepared-1', installedVersion: BUILD_VERSION, reused: false, preparationSeconds: build.images[0]?.preparationSeconds ?? -1 }]);
    assert.deepEqual(build.artifacts.map((artifact) => [artifact.path, artifact.package, artifact.version]), [[deb, 'cloud-init', BUILD_VERSION]]);
    const cell = await cellRecord(result.runDir, result.manifest.cells[0]?.dir ?? '');
    assert.deepEqual(cell.image, { ref: 'debian/bookworm', fingerprint: 'prepared-1', cloudInitVersion: BUILD_VERSION, build: { kind: 'deb', flow: 'prepared', baseFingerprint: 'f00d' } });
    assert.equal(result.manifest.summary.failed, 0);

    const again = await run(platform, {});
    assert.equal(platform.preparations().length, 1, 'the second run launched no preparation instance');
    assert.ok(again.manifest.build.kind === 'deb' && again.manifest.build.images[0]?.reused === true);
    assert.equal(platform.published.length, 1);
  });

  it('fails loudly when dpkg reports another version than the build carries, and removes the preparation instance', async () => {
    const platform = new PreparingPlatform();
    platform.installedVersion = '22.4.2-1';
    await assert.rejects(run(platform, {}), (error: HarnessError) => {
      assert.equal(error.code, 'IMAGE_BUILD');
      assert.match(error.message, /has cloud-init 22\.4\.2-1, not 99\.1-1\+test/);
      return true;
    });
    assert.equal(platform.instances.size, 0);
    assert.deepEqual(platform.launched(), platform.preparations(), 'no case was launched');
    assert.equal(platform.published.length, 0);
  });

  it('--upgrade-from image: each case boots the base, installs the build, reboots and boots again; nothing is published', async () => {
    const platform = new PreparingPlatform();
    const result = await run(platform, { upgradeFrom: 'image' });
    assert.deepEqual(platform.preparations(), []);
    assert.equal(platform.published.length, 0);
    assert.equal(platform.restarts.length, 2);
    assert.ok(platform.specs.every((spec) => spec.imageFingerprint === 'f00d'));
    const cell = result.manifest.cells.find((entry) => entry.case === 'marker');
    assert.deepEqual(cell?.timings.map((timing) => timing.phase), ['launching', 'booting', 'upgrading', 'booting', 'harvesting', 'destroying']);
    assert.equal(cell?.verdict, 'passed');
    assert.ok(result.manifest.build.kind === 'deb' && result.manifest.build.flow === 'upgrade');
    assert.equal(result.manifest.images[0]?.cloudInitVersion, BUILD_VERSION);
  });

  it('--upgrade-from image: a case whose upgrade does not take fails with the reason, harvested all the same', async () => {
    const platform = new PreparingPlatform();
    platform.installedVersion = '22.4.2-1';
    const result = await run(platform, { upgradeFrom: 'image' }, { selection: { grep: /marker/, tags: [], excludeTags: [] } });
    const cell = result.manifest.cells[0];
    assert.equal(cell?.state, 'failed-to-boot');
    assert.match(cell?.reason ?? '', /has cloud-init 22\.4\.2-1, not 99\.1-1\+test/);
    assert.deepEqual(platform.restarts, [], 'no reboot into a build that is not there');
    assert.deepEqual(cell?.timings.map((timing) => timing.phase), ['launching', 'booting', 'upgrading', 'harvesting', 'destroying']);
    assert.equal(platform.instances.size, 0);
  });

  it('--upgrade-from image on a platform that cannot reboot is a usage error before anything is launched', async () => {
    const platform = new PreparingPlatform(['out-of-band-exec', 'publish']);
    await assert.rejects(run(platform, { upgradeFrom: 'image' }), { code: 'USAGE' });
    assert.deepEqual(platform.launched(), []);
  });

  it('a repository build: source line and pin, apt-get update, install, checked against what the repository offers; prepared afresh each run', async () => {
    const platform = new PreparingPlatform();
    const line = parseAptSourceLine(`deb ${REPO_URI} bookworm main`);
    const first = await run(platform, { source: { kind: 'repo', line } });
    const pushed = new Map(platform.pushes.map((push) => [push.path, push.content]));
    assert.equal(pushed.get(REPO_LIST), `${line.text}\n`);
    assert.match(pushed.get(REPO_PIN) ?? '', /^Package: \*\nPin: origin "archive\.example\.invalid"\nPin-Priority: 1001\n$/);
    const told = platform.commands.map((entry) => entry.command);
    assert.ok(told.includes('apt-get update'));
    assert.ok(told.some((command) => command.startsWith('apt-get install') && command.endsWith(' cloud-init')));
    assert.ok(first.manifest.build.kind === 'repo' && first.manifest.build.source === line.text);

    await run(platform, { source: { kind: 'repo', line } });
    assert.equal(platform.preparations().length, 2, 'a repository can change under the same line: never reused');
    assert.deepEqual(platform.deletedImages, ['prepared-1'], 'the earlier preparation of the same line is replaced');

    platform.repoOffers = 'http://elsewhere.example.invalid/debian';
    await assert.rejects(run(platform, { source: { kind: 'repo', line } }), /which http:\/\/archive\.example\.invalid\/debian does not offer/);
  });
});
