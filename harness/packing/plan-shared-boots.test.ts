import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorNames } from '../../collectors/index.js';
import type { TestCase } from '../../testcases/case.js';
import { cellExpectations } from '../../testcases/expectations.js';
import { loadCase } from '../../testcases/loader.js';
import { planSharedBoots, whyAlone, type PackCandidate } from './plan-shared-boots.js';

describe('which cases share a boot', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-packing-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const load = async (name: string, yaml: string): Promise<TestCase> => {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, `description: ${name}\n${yaml}`);
    return loadCase(file, collectorNames());
  };
  const candidate = async (name: string, yaml: string, imageRef = 'debian/bookworm'): Promise<PackCandidate> => {
    const testCase = await load(name, yaml);
    return { testCase, expectations: cellExpectations(testCase, { image: imageRef, platform: 'lxd', cloudInit: '25.1' }, []), imageRef, collect: testCase.collect };
  };
  const alone = async (yaml: string): Promise<string | undefined> => {
    const { testCase, expectations } = await candidate('c', yaml);
    return whyAlone(testCase, expectations);
  };
  const everyFits = { maxCases: 6, fits: () => true };
  const names = (boots: readonly (readonly PackCandidate[])[]) => boots.map((boot) => boot.map((cell) => cell.testCase.name));

  it('lets a plain cloud-config share, and says why anything that is about the boot as a whole may not', async () => {
    assert.equal(await alone('cloud_config: {runcmd: [true]}'), undefined);
    assert.equal(await alone('isolated: true\ncloud_config: {runcmd: [true]}'), 'marked isolated');
    assert.equal(await alone('boots: 2\ncloud_config: {runcmd: [true]}'), 'boots more than once');
    assert.equal(await alone('expect: {status: error}\ncloud_config: {runcmd: [true]}'), 'expects status error');
    assert.equal(await alone("expect: {log_warnings: ['x']}\ncloud_config: {runcmd: [true]}"), 'expects lines in cloud-init.log');
    assert.equal(await alone("expect: {tracebacks: ['x']}\ncloud_config: {runcmd: [true]}"), 'expects lines in cloud-init.log');
    assert.equal(await alone('expect: {schema_valid: false}\ncloud_config: {runcmd: [true]}'), 'expects the schema check to fail');
    assert.equal(await alone('xfail: a known bug\ncloud_config: {runcmd: [true]}'), 'is expected to fail');
    assert.equal(await alone('vendor_data: {runcmd: [true]}\ncloud_config: {bootcmd: [true]}'), 'has seed parts beside user-data');
    assert.equal(await alone('network_config: {version: 2}\ncloud_config: {bootcmd: [true]}'), 'has seed parts beside user-data');
    assert.equal(await alone("user_data: \"#!/bin/sh\\ntrue\\n\""), 'user-data is not one plain cloud-config');
    assert.equal(await alone("user_data: \"## template: jinja\\n#cloud-config\\nruncmd: [true]\\n\""), 'user-data is not one plain cloud-config');
    assert.equal(await alone('user_data: "#cloud-config\\na: &x [1]\\nb: *x\\n"'), 'user-data is not one plain cloud-config');
    assert.equal(await alone('cloud_config: {}'), 'its cloud-config is empty');
  });

  it('an xfail that does not hold for this cloud-init does not keep the case alone', async () => {
    assert.equal(await alone("xfail: {reason: fixed in 24.1, cloud_init: '<24.1'}\ncloud_config: {runcmd: [true]}"), undefined);
  });

  it('packs cases with no top-level key in common, first fit, in the order given', async () => {
    const cells = [
      await candidate('a', 'cloud_config: {runcmd: [true], write_files: [{path: /a, content: a}]}'),
      await candidate('b', 'cloud_config: {runcmd: [false]}'),
      await candidate('c', 'cloud_config: {hostname: c}'),
      await candidate('d', 'cloud_config: {bootcmd: [true]}'),
    ];
    const plan = planSharedBoots(cells, everyFits);
    assert.deepEqual(names(plan.sharedBoots), [['a', 'c', 'd']]);
    assert.deepEqual(plan.alone.map((cell) => cell.testCase.name), ['b']);
    assert.deepEqual(names(planSharedBoots(cells, everyFits).sharedBoots), names(plan.sharedBoots));
  });

  it('keeps apart cases on other images or transports, and a collect command of the same name that does something else', async () => {
    const cells = [
      await candidate('a', 'cloud_config: {runcmd: [true]}\ncollect: {commands: {out: cat /a}}'),
      await candidate('b', 'cloud_config: {hostname: b}\ncollect: {commands: {out: cat /b}}'),
      await candidate('c', 'cloud_config: {bootcmd: [true]}\ncollect: {commands: {out: cat /a}}'),
      await candidate('d', 'cloud_config: {locale: C.UTF-8}', 'debian/trixie'),
      await candidate('e', 'transport: ssh\ncloud_config: {timezone: UTC}'),
    ];
    const plan = planSharedBoots(cells, everyFits);
    assert.deepEqual(names(plan.sharedBoots), [['a', 'c']]);
    assert.deepEqual(plan.alone.map((cell) => cell.testCase.name).sort(), ['b', 'd', 'e']);
  });

  it('keeps apart cases whose keys cloud-init reads together, though no key is in both', async () => {
    const cells = [
      await candidate('a', 'cloud_config: {user: {name: cloudy}}'),
      await candidate('b', 'cloud_config: {users: [default, {name: carol}]}'),
      await candidate('c', 'cloud_config: {preserve_hostname: true}'),
      await candidate('d', 'cloud_config: {hostname: d}'),
    ];
    assert.deepEqual(names(planSharedBoots(cells, everyFits).sharedBoots), [['a', 'c'], ['b', 'd']]);
  });

  it('opens another boot when one is full or its merged user-data would not fit the platform', async () => {
    const keys = ['bootcmd', 'runcmd', 'hostname', 'locale', 'timezone'];
    const cells = await Promise.all(keys.map((key, index) => candidate(`c${index}`, `cloud_config: {${key}: x}`)));
    assert.deepEqual(names(planSharedBoots(cells, { maxCases: 2, fits: () => true }).sharedBoots), [['c0', 'c1'], ['c2', 'c3']]);
    assert.deepEqual(planSharedBoots(cells, { maxCases: 2, fits: () => true }).alone.map((cell) => cell.testCase.name), ['c4']);
    const plan = planSharedBoots(cells, { maxCases: 6, fits: (members) => members.length <= 3 });
    assert.deepEqual(names(plan.sharedBoots), [['c0', 'c1', 'c2'], ['c3', 'c4']]);
  });
});
