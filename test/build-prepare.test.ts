import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildOptions } from '../harness/build-under-test/build-stage.js';
import { REPO_LIST, REPO_PIN } from '../harness/build-under-test/install-build.js';
import { parseAptSourceLine } from '../harness/build-under-test/parse-build-spec.js';
import { CLEAN_SCRIPT } from '../harness/build-under-test/prepare-recipe.js';
import { CLOUD_INIT_DISABLED } from '../core/cloud-init-paths.js';
import { generateAccessKey } from '../core/access-key.js';
import type { HarnessError } from '../core/errors.js';
import type { CellRecord } from '../results-schema/cell-record.js';
import { silentObserver } from '../harness/run/observer.js';
import { runHarness, type RunOptions } from '../harness/run/run-loop.js';
import { FakePlatform } from '../platforms/fake/platform.js';
import type { Capability, ExecResult, Platform } from '../platforms/types.js';
import { makeDeb } from './build-fixtures.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'cases');
const BUILD_VERSION = '99.1-1+test';
const REPO_URI = 'http://archive.example.invalid/debian';

/** What dpkg and apt say inside the fake's instances; a test changes it before a run. */
interface AptAnswers {
  installedVersion: string;
  repoOffers: string;
}

const aptAnswers = (): AptAnswers => ({ installedVersion: BUILD_VERSION, repoOffers: REPO_URI });

/**
 * The fake platform, able to prepare images: dpkg and apt answer as `apt` says and the
 * clean script succeeds; the rest (cloud-init's wait, mkdir, push, restart, publish, the
 * harvest that plays back the cases' output) is the fake's own.
 */
function preparingPlatform(apt: AptAnswers, capabilities: readonly Capability[] = ['out-of-band-exec', 'publish', 'reboot', 'preboot-files']): FakePlatform {
  const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout: Buffer.from(stdout), stderr: Buffer.alloc(0) });
  return new FakePlatform({
    capabilities,
    behaviourOf: () => ({ outputs: { marker: 'hi\n' } }),
    onExec: (_instance, spec) => {
      switch (spec.command[0]) {
        case 'apt-get':
          return ok();
        case 'dpkg-query':
          return ok(`cloud-init\t${apt.installedVersion}\tii \n`);
        case 'apt-cache':
          return ok(` cloud-init | ${apt.installedVersion} | ${apt.repoOffers} bookworm/main amd64 Packages\n`);
        default:
          return spec.command.join(' ') === `sh -c ${CLEAN_SCRIPT}` ? ok() : undefined;
      }
    },
  });
}

/** What the tests read back of a run, from the fake's record of calls. */
const launchedSpecs = (platform: FakePlatform) => platform.callsOf('launch').map((call) => call.spec);
const launched = (platform: FakePlatform) => launchedSpecs(platform).map((spec) => spec.name);
const preparations = (platform: FakePlatform) => launched(platform).filter((name) => name.includes('-prepare-'));
const commands = (platform: FakePlatform) => platform.callsOf('exec').map((call) => ({ instance: call.instance, command: call.command.join(' ') }));
const pushes = (platform: FakePlatform) => platform.callsOf('push').map((call) => ({ instance: call.instance, path: call.path, content: call.content.toString('utf8') }));
const restarts = (platform: FakePlatform) => platform.callsOf('restart').map((call) => call.instance);
const published = (platform: FakePlatform) => platform.callsOf('publish').map((call) => call.spec);
const deletedImages = (platform: FakePlatform) => platform.callsOf('delete-image').map((call) => call.fingerprint);
const instancesLeft = async (platform: FakePlatform) => (await platform.listByLabel({})).length;
/** The fake names a published image by its content; the image the preparation published holds its alias. */
const preparedFingerprint = async (platform: FakePlatform) => (await platform.resolveImage(published(platform)[0]?.aliases[0] ?? '')).fingerprint;

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
    const apt = aptAnswers();
    const platform = preparingPlatform(apt);
    const result = await run(platform, {});

    const [preparation] = preparations(platform);
    assert.ok(preparation, 'a preparation instance was launched');
    const labels = (launchedSpecs(platform).find((spec) => spec.name === preparation))?.labels;
    assert.deepEqual({ managed: labels?.['cloudproof.managed'], run: labels?.['cloudproof.run'], role: labels?.['cloudproof.role'] }, { managed: 'true', run: result.runId, role: 'prepare' });
    const told = commands(platform).filter((entry) => entry.instance === preparation).map((entry) => entry.command);
    assert.deepEqual(launchedSpecs(platform).find((spec) => spec.name === preparation)?.files, [{ path: CLOUD_INIT_DISABLED, content: '' }], 'cloud-init is kept from its first boot');
    assert.equal(told[0], 'true', "the driver's readiness first");
    assert.ok(!told.some((command) => command.startsWith('cloud-init status')), `the preparation waited for a cloud-init that must not run: ${told.join('\n')}`);
    assert.ok(told.some((command) => command.startsWith('apt-get install -y --reinstall --allow-downgrades') && command.endsWith('/var/tmp/cloudproof-build/0-cloud-init.deb')), told.join('\n'));
    assert.ok(told.some((command) => command.startsWith('dpkg-query')));
    assert.deepEqual(told.slice(-2), [`rm -f ${CLOUD_INIT_DISABLED}`, `sh -c ${CLEAN_SCRIPT}`], 'the marker goes after the install, before the clean');
    assert.deepEqual(pushes(platform).map((push) => push.path), ['/var/tmp/cloudproof-build/0-cloud-init.deb']);
    assert.equal(published(platform).length, 1);
    assert.match(published(platform)[0]?.aliases[0] ?? '', /^cloudproof\/prepared\/[0-9a-f]{16}$/);
    assert.equal(published(platform)[0]?.properties['cloudproof.cloud-init'], BUILD_VERSION);
    assert.equal(published(platform)[0]?.properties['cloudproof.prepared'], 'true');
    assert.equal(published(platform)[0]?.properties['cloudproof.base'], 'f00d');
    assert.equal(await instancesLeft(platform), 0, 'the preparation instance and the cells are gone');

    const prepared = await preparedFingerprint(platform);
    const offspring = await platform.launch({ name: 'offspring', imageFingerprint: prepared, userData: '#cloud-config\n', accessKey: generateAccessKey('t'), labels: {} });
    assert.equal(await offspring.pull(CLOUD_INIT_DISABLED), undefined, 'the prepared image runs cloud-init again');
    assert.equal((await offspring.exec({ command: ['cloud-init', 'status', '--wait'] })).stdout.toString('utf8'), 'status: done\n');
    await offspring.delete();
    const cells = launchedSpecs(platform).filter((spec) => spec.name !== preparation && spec.name !== 'offspring');
    assert.ok(cells.length === 2 && cells.every((spec) => spec.imageFingerprint === prepared));
    const build = result.manifest.build;
    assert.ok(build.kind === 'deb');
    assert.deepEqual(build.images, [{ ref: 'debian/bookworm', baseFingerprint: 'f00d', preparedFingerprint: prepared, installedVersion: BUILD_VERSION, reused: false, preparationSeconds: build.images[0]?.preparationSeconds ?? -1, extraPackages: [] }]);
    assert.deepEqual(build.artifacts.map((artifact) => [artifact.path, artifact.package, artifact.version]), [[deb, 'cloud-init', BUILD_VERSION]]);
    const cell = await cellRecord(result.runDir, result.manifest.cells[0]?.dir ?? '');
    assert.deepEqual(cell.image, { ref: 'debian/bookworm', fingerprint: prepared, cloudInitVersion: BUILD_VERSION, build: { kind: 'deb', flow: 'prepared', baseFingerprint: 'f00d' } });
    assert.equal(result.manifest.summary.failed, 0);

    const again = await run(platform, {});
    assert.equal(preparations(platform).length, 1, 'the second run launched no preparation instance');
    assert.ok(again.manifest.build.kind === 'deb' && again.manifest.build.images[0]?.reused === true);
    assert.equal(published(platform).length, 1);
  });

  it('fails loudly when dpkg reports another version than the build carries, and removes the preparation instance', async () => {
    const apt = aptAnswers();
    const platform = preparingPlatform(apt);
    apt.installedVersion = '22.4.2-1';
    await assert.rejects(run(platform, {}), (error: HarnessError) => {
      assert.equal(error.code, 'IMAGE_BUILD');
      assert.match(error.message, /has cloud-init 22\.4\.2-1, not 99\.1-1\+test/);
      return true;
    });
    assert.equal(await instancesLeft(platform), 0);
    assert.deepEqual(launched(platform), preparations(platform), 'no case was launched');
    assert.equal(published(platform).length, 0);
  });

  it('--upgrade-from image: each case boots the base, installs the build, reboots and boots again; nothing is published', async () => {
    const apt = aptAnswers();
    const platform = preparingPlatform(apt);
    const result = await run(platform, { upgradeFrom: 'image' });
    assert.deepEqual(preparations(platform), []);
    assert.equal(published(platform).length, 0);
    assert.equal(restarts(platform).length, 2);
    assert.ok(launchedSpecs(platform).every((spec) => spec.imageFingerprint === 'f00d'));
    const cell = result.manifest.cells.find((entry) => entry.case === 'marker');
    assert.deepEqual(cell?.timings.map((timing) => timing.phase), ['launching', 'booting', 'upgrading', 'booting', 'harvesting', 'destroying']);
    assert.equal(cell?.verdict, 'passed');
    assert.ok(result.manifest.build.kind === 'deb' && result.manifest.build.flow === 'upgrade');
    assert.equal(result.manifest.images[0]?.cloudInitVersion, BUILD_VERSION);
  });

  it('--upgrade-from image: a case whose upgrade does not take fails with the reason, harvested all the same', async () => {
    const apt = aptAnswers();
    const platform = preparingPlatform(apt);
    apt.installedVersion = '22.4.2-1';
    const result = await run(platform, { upgradeFrom: 'image' }, { selection: { grep: /marker/, tags: [], excludeTags: [] } });
    const cell = result.manifest.cells[0];
    assert.equal(cell?.state, 'failed-to-boot');
    assert.match(cell?.reason ?? '', /has cloud-init 22\.4\.2-1, not 99\.1-1\+test/);
    assert.deepEqual(restarts(platform), [], 'no reboot into a build that is not there');
    assert.deepEqual(cell?.timings.map((timing) => timing.phase), ['launching', 'booting', 'upgrading', 'harvesting', 'destroying']);
    assert.equal(await instancesLeft(platform), 0);
  });

  it('--upgrade-from image on a platform that cannot reboot is a usage error before anything is launched', async () => {
    const apt = aptAnswers();
    const platform = preparingPlatform(apt, ['out-of-band-exec', 'publish']);
    await assert.rejects(run(platform, { upgradeFrom: 'image' }), { code: 'USAGE' });
    assert.deepEqual(launched(platform), []);
  });

  it("validates cloud-config against the build's own schema before anything is launched: a key only the build knows passes, a key only the base knows is refused", async () => {
    // The base image's cloud-init knows old_key only; the build under test replaced it with new_key.
    const schemaOf = (key: string) => JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', additionalProperties: false, properties: { [key]: { type: 'integer' } } });
    const imageCacheDir = join(dir, 'schema-cache');
    await mkdir(join(imageCacheDir, 'f00d'), { recursive: true });
    await writeFile(join(imageCacheDir, 'f00d', 'schema-cloud-config-v1.json'), schemaOf('old_key'));
    const cases = join(dir, 'schema-cases');
    await mkdir(cases, { recursive: true });
    for (const key of ['old_key', 'new_key']) await writeFile(join(cases, `uses_${key}.yaml`), `description: uses ${key}\ncloud_config:\n  ${key}: 1\n`);
    const schemaDir = join(dir, 'schema-deb');
    await mkdir(schemaDir, { recursive: true });
    const withSchema = await makeDeb(schemaDir, 'cloud-init', BUILD_VERSION, { 'usr/lib/python3/dist-packages/cloudinit/config/schemas/schema-cloud-config-v1.json': schemaOf('new_key') });
    const only = (name: string): Partial<RunOptions> => ({ imageCacheDir, testcaseDirs: [cases], selection: { grep: new RegExp(`^${name}$`), tags: [], excludeTags: [] } });
    const refused = (key: string, schemaOwner: RegExp) => (error: HarnessError) => {
      assert.equal(error.code, 'INVALID_USER_DATA');
      assert.match(error.message, new RegExp(`uses_${key}\\.yaml: cloud-config does not match the schema of cloud-init `));
      assert.match(error.message, schemaOwner);
      assert.match(error.message, new RegExp(`unknown key "${key}"`));
      return true;
    };

    const asItIs = preparingPlatform(aptAnswers());
    await assert.rejects(run(asItIs, { source: { kind: 'none' } }, only('uses_new_key')), refused('new_key', /in debian\/bookworm/));
    await run(asItIs, { source: { kind: 'none' } }, only('uses_old_key'));

    const building = preparingPlatform(aptAnswers());
    await assert.rejects(run(building, { source: { kind: 'deb', paths: [withSchema] } }, only('uses_old_key')), refused('old_key', /99\.1-1\+test in the build under test \(debian\/bookworm\)/));
    assert.deepEqual(launched(building), [], 'refused before the preparation instance, too');
    const accepted = await run(building, { source: { kind: 'deb', paths: [withSchema] } }, only('uses_new_key'));
    assert.deepEqual(accepted.manifest.cells.map((cell) => [cell.case, cell.state]), [['uses_new_key', 'harvested']]);
  });

  it('a platform that cannot put files in place before the first boot cannot prepare: a usage error before anything is launched', async () => {
    const apt = aptAnswers();
    const platform = preparingPlatform(apt, ['out-of-band-exec', 'publish', 'reboot']);
    await assert.rejects(run(platform, {}), (error: HarnessError) => {
      assert.equal(error.code, 'USAGE');
      assert.match(error.oneLine(), /lacks preboot-files/);
      assert.match(error.hint ?? '', /--upgrade-from image/);
      return true;
    });
    assert.deepEqual(launched(platform), []);
  });

  it('a repository build: source line and pin, apt-get update, install, checked against what the repository offers; prepared afresh each run', async () => {
    const apt = aptAnswers();
    const platform = preparingPlatform(apt);
    const line = parseAptSourceLine(`deb ${REPO_URI} bookworm main`);
    const first = await run(platform, { source: { kind: 'repo', line } });
    const firstPrepared = await preparedFingerprint(platform);
    const pushed = new Map(pushes(platform).map((push) => [push.path, push.content]));
    assert.equal(pushed.get(REPO_LIST), `${line.text}\n`);
    assert.match(pushed.get(REPO_PIN) ?? '', /^Package: \*\nPin: origin "archive\.example\.invalid"\nPin-Priority: 1001\n$/);
    const told = commands(platform).map((entry) => entry.command);
    assert.ok(told.includes('apt-get update'));
    assert.ok(told.some((command) => command.startsWith('apt-get install') && command.endsWith(' cloud-init')));
    assert.ok(first.manifest.build.kind === 'repo' && first.manifest.build.source === line.text);

    await run(platform, { source: { kind: 'repo', line } });
    assert.equal(preparations(platform).length, 2, 'a repository can change under the same line: never reused');
    assert.deepEqual(deletedImages(platform), [firstPrepared], 'the earlier preparation of the same line is replaced');

    apt.repoOffers = 'http://elsewhere.example.invalid/debian';
    await assert.rejects(run(platform, { source: { kind: 'repo', line } }), /which http:\/\/archive\.example\.invalid\/debian does not offer/);
  });
});
