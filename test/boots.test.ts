import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCase } from '../testcases/loader.js';
import { FakePlatform } from '../platforms/fake/platform.js';
import type { LaunchSpec } from '../platforms/types.js';
import type { RunManifest } from '../results-schema/run-manifest.js';
import type { CellRecord } from '../results-schema/cell-record.js';
import { runOn } from './run-on.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'boots');
const everything = { grep: undefined, tags: [], excludeTags: [] };

describe('cases across boots, and the rest of the seed', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-boots-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const caseFrom = async (yaml: string) => {
    const file = join(work, 'a_case.yaml');
    await writeFile(file, yaml);
    return loadCase(file, new Set());
  };
  const refused = async (yaml: string, message: RegExp) => assert.rejects(caseFrom(yaml), (error: Error) => (assert.match(error.message, message), true));
  const cellOf = (manifest: RunManifest, name: string) => manifest.cells.find((cell) => cell.case === name);

  describe('case fields', () => {
    it('delivers vendor-data as cloud-config, meta-data keys and network-config, and asks the platform for each', async () => {
      const testCase = await caseFrom(
        ['description: d', 'vendor_data: {write_files: [{path: /x, permissions: 0644}]}', 'meta_data: {role: web}', 'network_config: {network: {version: 1, config: []}}', 'cloud_config: {}', ''].join('\n'),
      );
      // Written back from the YAML node, as cloud_config is: 0644 stays 0644, not 420.
      assert.equal(testCase.seed.vendorData, '#cloud-config\n{ write_files: [ { path: /x, permissions: 0644 } ] }\n');
      assert.deepEqual(testCase.seed.metaData, { role: 'web' });
      assert.match(testCase.seed.networkConfig ?? '', /version: 1/);
      assert.deepEqual([...testCase.requires.capabilities].sort(), ['meta-data', 'network-config', 'vendor-data']);
      assert.deepEqual(testCase.boots, { count: 1, rebootBy: 'harness', beforeReboot: undefined });
    });

    it('asks for reboot only when the harness reboots', async () => {
      assert.deepEqual((await caseFrom('description: d\nboots: 2\ncloud_config: {}\n')).requires.capabilities, ['reboot']);
      assert.deepEqual((await caseFrom('description: d\nboots: 2\nreboot: instance\ncloud_config: {}\n')).requires.capabilities, []);
    });

    it('refuses reboot fields without a second boot, a before_reboot the harness will not run, and boots out of range', async () => {
      await refused('description: d\nreboot: instance\ncloud_config: {}\n', /a_case\.yaml:2: reboot says how boots after the first begin: give boots: 2/);
      await refused('description: d\nbefore_reboot: "true"\ncloud_config: {}\n', /a_case\.yaml:2: before_reboot runs before a second boot/);
      await refused('description: d\nboots: 2\nreboot: instance\nbefore_reboot: "true"\ncloud_config: {}\n', /with reboot: instance the instance reboots itself/);
      await refused('description: d\nboots: 6\ncloud_config: {}\n', /boots must be <= 5/);
      await refused('description: d\nboots: 2\nreboot: sometimes\ncloud_config: {}\n', /reboot must be one of "harness", "instance"/);
    });

    it('refuses a network-config without its version, and vendor-data in no known format', async () => {
      await refused('description: d\nnetwork_config: {ethernets: {}}\ncloud_config: {}\n', /a_case\.yaml:2: network_config must say `version: 1` or `version: 2`/);
      await refused('description: d\nvendor_data: "hello"\ncloud_config: {}\n', /INVALID_USER_DATA|vendor_data starts with "hello"/);
    });

    it('sends invalid user-data as written when the case is about it (schema_valid: false), and refuses it otherwise', async () => {
      const broken = 'user_data: "#cloud-config\\nruncmd: [unclosed\\n"\n';
      await refused(`description: d\n${broken}`, /user_data is not valid YAML/);
      assert.equal((await caseFrom(`description: d\n${broken}expect: {schema_valid: false}\n`)).userData, '#cloud-config\nruncmd: [unclosed\n');
    });
  });

  describe('a run (fake platform)', () => {
    it('harvests each boot into its own folder, keeps the step between them and the seed, and judges every boot', async () => {
      const launches: LaunchSpec[] = [];
      const platform = new FakePlatform({ behaviourOf: (spec) => (launches.push(spec), {}) });
      const result = await runOn(platform, work, { testcaseDirs: [join(FIXTURES, 'two-boots')], selection: everything });
      const cell = cellOf(result.manifest, 'twice');
      assert.equal(cell?.verdict, 'passed', JSON.stringify(cell?.failures));
      const dir = join(result.runDir, cell?.dir ?? '');
      const record = JSON.parse(await readFile(join(dir, 'cell.json'), 'utf8')) as CellRecord;
      assert.deepEqual(record.boots, [{ boot: 1, dir: 'boots/1' }, { boot: 2, dir: '' }]);
      assert.deepEqual(record.timings.map((timing) => timing.phase), ['launching', 'booting', 'harvesting', 'rebooting', 'booting', 'harvesting', 'destroying']);
      assert.ok(existsSync(join(dir, 'boots', '1', 'files', 'var', 'log', 'cloud-init.log')));
      assert.equal(await readFile(join(dir, 'boots', '1', 'collectors', 'before-reboot.rc'), 'utf8'), '0\n');
      assert.equal(await readFile(join(dir, 'vendor-data'), 'utf8'), '#cloud-config\nfinal_message: from vendor-data\n');
      assert.equal(await readFile(join(dir, 'meta-data'), 'utf8'), 'role: test\n');
      const twice = launches.find((spec) => spec.name.endsWith('twice'));
      assert.equal(twice?.vendorData, '#cloud-config\nfinal_message: from vendor-data\n');
      assert.deepEqual(twice?.metaData, { role: 'test' });
      assert.match(twice?.networkConfig ?? '', /ethernets/);
    });

    it('fails a case whose before_reboot fails, after booting it again', async () => {
      const result = await runOn(new FakePlatform({}), work, { testcaseDirs: [join(FIXTURES, 'two-boots')], selection: everything });
      const cell = cellOf(result.manifest, 'step_fails');
      assert.equal(cell?.verdict, 'failed');
      assert.deepEqual(cell?.failures.map((failure) => failure.test), ['boot 1: before_reboot exits 0']);
      assert.match(cell?.failures[0]?.message ?? '', /before_reboot failed \(exit 3\)/);
    });

    it('fails a case whose instance was to reboot itself and did not, on the evidence of cloud-init.log', async () => {
      const result = await runOn(new FakePlatform({}), work, { testcaseDirs: [join(FIXTURES, 'own-reboot')], selection: everything });
      const cell = cellOf(result.manifest, 'reboots_itself');
      assert.equal(cell?.verdict, 'failed');
      assert.deepEqual(cell?.failures.map((failure) => failure.message.split('\n')[0]), ['cloud-init.log shows 1 boot(s) ("running \'init-local\'"), the case expects 2']);
    });

    it('passes a case whose instance rebooted itself, harvesting only its last boot', async () => {
      const log = ["Cloud-init v. 22.4.2 running 'init-local'", "Cloud-init v. 22.4.2 running 'init-local'", ''].join('\n');
      const platform = new FakePlatform({
        behaviourOf: () => ({ log }),
        onExec: (_instance, spec) => (spec.command[0] === 'grep' ? { exitCode: 0, stdout: Buffer.from('2\n'), stderr: Buffer.alloc(0) } : undefined),
      });
      const result = await runOn(platform, work, { testcaseDirs: [join(FIXTURES, 'own-reboot')], selection: everything });
      const cell = cellOf(result.manifest, 'reboots_itself');
      assert.equal(cell?.verdict, 'passed', JSON.stringify(cell?.failures));
      const record = JSON.parse(await readFile(join(result.runDir, cell?.dir ?? '', 'cell.json'), 'utf8')) as CellRecord;
      assert.deepEqual(record.boots, [{ boot: 1 }, { boot: 2, dir: '' }]);
    });
  });
});
