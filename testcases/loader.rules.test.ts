import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorNames } from '../collectors/index.js';
import { HarnessError } from '../core/errors.js';
import { fieldName, loadCase, loadCases } from './loader.js';

/** What the loader refuses before anything is launched, and what it fills in for what a case leaves out. */
describe('case loading rules', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-loader-rules-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (path: string, text: string): Promise<string> => {
    const file = join(dir, path);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, text);
    return file;
  };
  const load = async (text: string) => loadCase(await write('c.yaml', text), collectorNames());
  /** The one line the user reads, with the code that makes it bad input. */
  const refused = async (text: string, code: string, message: RegExp, hint?: RegExp): Promise<void> => {
    await assert.rejects(load(text), (error: unknown) => {
      assert.ok(error instanceof HarnessError, String(error));
      assert.equal(error.code, code);
      assert.match(error.message, message);
      if (hint) assert.match(error.hint ?? '', hint);
      return true;
    });
  };

  it('fills in what a case leaves out: its name from the file, status done, a valid schema, 300 s', async () => {
    const testCase = await load('description: minimal\ncloud_config:\n  runcmd: [ls]\n');
    assert.equal(testCase.name, 'c');
    assert.deepEqual(testCase.expect, { status: 'done', logWarnings: [], tracebacks: [], schemaValid: true });
    assert.equal(testCase.timeoutS, 300);
    assert.deepEqual(testCase.tags, []);
    assert.deepEqual(testCase.facts, {});
    assert.deepEqual(testCase.collect, { files: [], commands: {}, scripts: [] });
    assert.equal(testCase.xfail, undefined);
    assert.equal(testCase.checksFile, undefined);
    assert.equal(testCase.requires.cloudInit, undefined);
    assert.match(testCase.sha256, /^[0-9a-f]{64}$/);
    assert.equal(testCase.userData, '#cloud-config\nruncmd: [ ls ]\n');
  });

  it('keeps what a case says', async () => {
    const testCase = await load(
      'name: named\ndescription: full\ntags: [a]\ntimeout: 60\nuser_data: "#!/bin/sh\\necho\\n"\nrequires: {cloud_init: ">=23.4"}\ncollect: {files: [/etc/x], commands: {hello: echo hi}, scripts: [cloud-init-status]}\nfacts: {user: me}\nxfail: {reason: bug, cloud_init: "<24"}\nexpect: {status: error, schema_valid: false, log_warnings: [w]}\n',
    );
    assert.equal(testCase.name, 'named');
    assert.deepEqual(testCase.tags, ['a']);
    assert.equal(testCase.timeoutS, 60);
    assert.equal(testCase.userData, '#!/bin/sh\necho\n');
    assert.equal(testCase.requires.cloudInit, '>=23.4');
    assert.deepEqual(testCase.collect, { files: ['/etc/x'], commands: { hello: 'echo hi' }, scripts: ['cloud-init-status'] });
    assert.deepEqual(testCase.facts, { user: 'me' });
    assert.deepEqual(testCase.xfail, { reason: 'bug', cloudInit: '<24' });
    assert.deepEqual(testCase.expect, { status: 'error', schemaValid: false, logWarnings: [{ pattern: 'w', required: false, count: undefined }], tracebacks: [] });
  });

  it('sends cloud_config written as text after the header, as written', async () => {
    const testCase = await load('description: text\ncloud_config: |\n  runcmd: [ls]\n');
    assert.equal(testCase.userData, '#cloud-config\nruncmd: [ls]\n');
  });

  it('keeps YAML 1.1 octals as written in cloud_config', async () => {
    const testCase = await load('description: octal\ncloud_config:\n  write_files: [{path: /x, permissions: 0644}]\n');
    assert.match(testCase.userData, /permissions: 0644/);
  });

  it('finds the checks file beside the case, .ts or .js', async () => {
    await write('ts/a.yaml', 'description: a\ncloud_config: {}\n');
    const tsChecks = await write('ts/a.checks.ts', '');
    assert.equal((await loadCase(join(dir, 'ts', 'a.yaml'), collectorNames())).checksFile, tsChecks);
    await write('js/b.yml', 'description: b\ncloud_config: {}\n');
    const jsChecks = await write('js/b.checks.js', '');
    assert.equal((await loadCase(join(dir, 'js', 'b.yml'), collectorNames())).checksFile, jsChecks);
  });

  it('refuses YAML that does not parse, with its line', async () => {
    await refused('description: x\ncloud_config: {runcmd: [ls]\n', 'INVALID_CASE', /c\.yaml:\d+: not valid YAML: [^\n]{10,}$/);
  });

  it('refuses a duplicate key, which YAML 1.1 readers would silently merge', async () => {
    await refused('description: x\ndescription: y\ncloud_config: {}\n', 'INVALID_CASE', /c\.yaml:\d+: not valid YAML/);
  });

  it('names an unknown field and its line, nested or not, with the hint of a replaced one', async () => {
    await refused('description: x\ncloud_config: {}\ntagz: [a]\n', 'INVALID_CASE', /c\.yaml:3: unknown field "tagz"$/, /docs\/testcases\.md/);
    await refused('description: x\ncloud_config: {}\ncollect:\n  filez: []\n', 'INVALID_CASE', /c\.yaml:4: unknown field "filez" in collect$/);
    await refused('description: x\ncloud_config: {}\nexpect: {traceback: true}\n', 'INVALID_CASE', /unknown field "traceback" in expect/, /replaced by expect\.tracebacks/);
  });

  it('names a missing description, and asks for exactly one of user_data and cloud_config', async () => {
    await refused('cloud_config: {}\n', 'INVALID_CASE', /c\.yaml:1: missing field "description"$/);
    await refused('description: x\n', 'INVALID_CASE', /give exactly one of "user_data" or "cloud_config"/);
    await refused('description: x\nuser_data: "#!/bin/sh"\ncloud_config: {}\n', 'INVALID_CASE', /give exactly one of "user_data" or "cloud_config"/);
  });

  it('names a value out of its list and a wrong type by field', async () => {
    await refused('description: x\ncloud_config: {}\nexpect:\n  status: finished\n', 'INVALID_CASE', /c\.yaml:4: expect\.status must be one of "done", "error"$/);
    await refused('description: x\ncloud_config: {}\ntimeout: soon\n', 'INVALID_CASE', /c\.yaml:3: timeout must be integer$/);
    await refused('description: x\ncloud_config: {}\ncollect: {files: [etc/x]}\n', 'INVALID_CASE', /collect\.files\[0\] must match pattern/);
  });

  it('refuses user-data cloud-init would not read, unless the case expects invalid configuration', async () => {
    await refused('description: x\nuser_data: "hello"\n', 'INVALID_USER_DATA', /c\.yaml:2: user_data starts with "hello"/);
    await refused('description: x\ncloud_config: "- a list"\n', 'INVALID_USER_DATA', /c\.yaml:2: cloud_config must be a YAML mapping/);
    const sent = await load('description: x\nuser_data: "hello"\nexpect: {schema_valid: false}\n');
    assert.equal(sent.userData, 'hello');
  });

  it('refuses a pattern that does not compile and a range that is not one, by field', async () => {
    await refused('description: x\ncloud_config: {}\nexpect:\n  log_warnings: ["(unclosed"]\n', 'INVALID_CASE', /c\.yaml:4: expect\.log_warnings\[0\] is not a valid regular expression/);
    await refused('description: x\ncloud_config: {}\nrequires: {cloud_init: "soon"}\n', 'INVALID_CASE', /c\.yaml:3: requires\.cloud_init "soon" is not a version range$/, /write it like/);
    await refused('description: x\ncloud_config: {}\nxfail: {reason: r, cloud_init: "<<2"}\n', 'INVALID_CASE', /xfail\.cloud_init "<<2" is not a version range/);
    await refused('description: x\ncloud_config: {}\nexpect:\n  tracebacks:\n    - {pattern: "(unclosed", required: true}\n', 'INVALID_CASE', /expect\.tracebacks\[0\] is not a valid regular expression/);
    assert.deepEqual((await load('description: x\ncloud_config: {}\nxfail: {reason: "bug #3"}\n')).xfail, { reason: 'bug #3', cloudInit: undefined });
  });

  it('refuses a collector script that does not exist, listing the ones that do', async () => {
    await refused('description: x\ncloud_config: {}\ncollect: {scripts: [cloud-init-status, nosuch]}\n', 'INVALID_CASE', /c\.yaml:\d+: collect\.scripts names "nosuch", which is not a collector$/, /known collectors: .*cloud-init-status/);
  });

  it('loads every case of a folder tree, sorted by name, leaving out expectations/, node_modules/ and dotfiles', async () => {
    await write('cases/a/first.yaml', 'name: zeta\ndescription: z\ncloud_config: {}\n');
    await write('cases/b/alpha.yml', 'description: a\ncloud_config: {}\n');
    await write('cases/expectations/images.yaml', 'images: {}\n');
    await write('cases/node_modules/dep/case.yaml', 'not: a case\n');
    await write('cases/.hidden.yaml', 'not: a case\n');
    await write('cases/notes.txt', 'not a case\n');
    await write('cases/notes.yaml.txt', 'not: a case\n');
    const cases = await loadCases([join(dir, 'cases')], collectorNames());
    assert.deepEqual(cases.map((testCase) => testCase.name), ['alpha', 'zeta']);
  });

  it('refuses a folder that does not exist and two cases of one name', async () => {
    await assert.rejects(loadCases([join(dir, 'nowhere')], collectorNames()), (error: unknown) => error instanceof HarnessError && error.code === 'USAGE' && /nowhere does not exist/.test(error.message));
    await write('one/same.yaml', 'description: a\ncloud_config: {}\n');
    await write('two/x.yaml', 'name: same\ndescription: b\ncloud_config: {}\n');
    await assert.rejects(loadCases([join(dir, 'one'), join(dir, 'two')], collectorNames()), (error: unknown) => error instanceof HarnessError && error.code === 'INVALID_CASE' && /case name "same" is already used by .*same\.yaml/.test(error.message));
  });

  it('chooses the most concrete of the errors an either-or field gives', async () => {
    await refused('description: x\ncloud_config: {}\nxfail: {reason: r, cloud-init: "<2"}\n', 'INVALID_CASE', /unknown field "cloud-init" in xfail$/);
    await refused('description: x\ncloud_config: {}\nxfail: {reason: 3}\n', 'INVALID_CASE', /xfail\.reason must be string$/);
    await refused('description: x\ncloud_config: {}\nxfail: {}\n', 'INVALID_CASE', /missing field "reason" in xfail$/);
    await refused('description: x\ncloud_config: {}\nexpect:\n  log_warnings:\n    - {pattern: a, required: yes, cont: 1}\n', 'INVALID_CASE', /c\.yaml:5: unknown field "cont" in expect\.log_warnings\[0\]$/);
  });

  it('names a case file inside the working folder by its relative path, and one outside by its absolute path', async () => {
    const file = await write('c.yaml', 'description: x\ncloud_config: {}\ntagz: []\n');
    await assert.rejects(loadCase(file, collectorNames()), (error: unknown) => error instanceof HarnessError && error.message.startsWith(`${file}:3: `));
    const inside = join('test', 'fixtures', 'cases', 'broken', 'typo.yaml');
    await assert.rejects(loadCase(join(process.cwd(), inside), collectorNames()), (error: unknown) => error instanceof HarnessError && error.message.startsWith(`${inside}:2: `));
  });

  it('takes the name and the checks file from the last .yaml of a file name only', async () => {
    await write('n/cloud.yml.yaml', 'description: x\ncloud_config: {}\n');
    const checks = await write('n/cloud.yml.checks.ts', '');
    const testCase = await loadCase(join(dir, 'n', 'cloud.yml.yaml'), collectorNames());
    assert.equal(testCase.name, 'cloud.yml');
    assert.equal(testCase.checksFile, checks);
  });

  it('refuses user_data it checks, and says which collectors there are, sorted', async () => {
    await refused('description: x\nuser_data: "#!/bin/sh\\n"\ncollect:\n  scripts:\n    - cloud-init-status\n    - nosuch\n', 'INVALID_CASE', /c\.yaml:6: collect\.scripts names "nosuch"/, new RegExp(`^known collectors: ${[...collectorNames()].sort().join(', ')}$`));
    await refused('description: x\nuser_data: "hello"\n', 'INVALID_USER_DATA', /user_data starts with/);
    const valid = await load('description: x\nuser_data: "#!/bin/sh\\necho\\n"\n');
    assert.equal(valid.userData, '#!/bin/sh\necho\n');
  });

  it('refuses the seed parts it checks, each by field, and renders the ones given as YAML', async () => {
    await refused('description: x\ncloud_config: {}\nvendor_data: "hello"\n', 'INVALID_USER_DATA', /c\.yaml:3: vendor_data starts with "hello"/);
    const seeded = await load('description: x\ncloud_config: {}\nvendor_data:\n  runcmd: [ls]\nnetwork_config:\n  network: {version: 2}\n');
    assert.equal(seeded.seed.vendorData, '#cloud-config\nruncmd: [ ls ]\n');
    assert.match(seeded.seed.networkConfig ?? '', /version: 2/);
    const text = await load('description: x\ncloud_config: {}\nvendor_data: "#cloud-config\\nruncmd: [ls]\\n"\nnetwork_config: "version: 1\\nconfig: []\\n"\n');
    assert.equal(text.seed.vendorData, '#cloud-config\nruncmd: [ls]\n');
    assert.equal(text.seed.networkConfig, 'version: 1\nconfig: []\n');
    assert.equal((await load('description: x\ncloud_config: {}\n')).seed.networkConfig, undefined);
    await refused('description: x\ncloud_config: {}\nnetwork_config: "# nothing"\n', 'INVALID_USER_DATA', /c\.yaml:3: network_config must say `version: 1` or `version: 2`/);
    await refused('description: x\ncloud_config: {}\nnetwork_config: {network: {version: 3}}\n', 'INVALID_USER_DATA', /network_config must say/);
  });

  it('refuses reboot fields that cannot hold, each with its line and why', async () => {
    await refused('description: x\ncloud_config: {}\nreboot: harness\n', 'INVALID_CASE', /c\.yaml:3: reboot says how boots after the first begin/);
    await refused('description: x\ncloud_config: {}\nbefore_reboot: "true"\n', 'INVALID_CASE', /c\.yaml:3: before_reboot runs before a second boot/);
    await refused('description: x\ncloud_config: {}\nboots: 2\nreboot: instance\nbefore_reboot: "true"\n', 'INVALID_CASE', /c\.yaml:5: before_reboot runs before the harness reboots the instance; with reboot: instance the instance reboots itself$/);
    const twice = await load('description: x\ncloud_config: {}\nboots: 2\nbefore_reboot: "cloud-init clean --logs"\n');
    assert.deepEqual(twice.boots, { count: 2, rebootBy: 'harness', beforeReboot: 'cloud-init clean --logs' });
    assert.ok(twice.requires.capabilities.includes('reboot'));
    const itself = await load('description: x\ncloud_config: {}\nboots: 2\nreboot: instance\n');
    assert.equal(itself.boots.rebootBy, 'instance');
    assert.ok(!itself.requires.capabilities.includes('reboot'));
  });

  it('takes a transport, which asks the platform for the capability that serves it', async () => {
    const overSsh = await load('description: x\ncloud_config: {}\ntransport: ssh\n');
    assert.equal(overSsh.transport, 'ssh');
    assert.ok(overSsh.requires.capabilities.includes('ssh'));
    const outOfBand = await load('description: x\ncloud_config: {}\ntransport: out-of-band\n');
    assert.deepEqual([outOfBand.transport, outOfBand.requires.capabilities], ['out-of-band', ['out-of-band-exec']]);
    const either = await load('description: x\ncloud_config: {}\n');
    assert.deepEqual([either.transport, either.requires.capabilities], [undefined, []]);
    await refused('description: x\ncloud_config: {}\ntransport: telnet\n', 'INVALID_CASE', /transport/);
  });

  it('gives the folder and duplicate-name refusals a hint', async () => {
    await assert.rejects(loadCases([join(dir, 'nowhere')], collectorNames()), (error: unknown) => error instanceof HarnessError && error.hint === 'pass an existing folder to --testcases');
    await write('one/same.yaml', 'description: a\ncloud_config: {}\n');
    await write('two/same.yaml', 'description: b\ncloud_config: {}\n');
    await assert.rejects(loadCases([join(dir, 'one'), join(dir, 'two')], collectorNames()), (error: unknown) => error instanceof HarnessError && error.hint === 'give one of them another `name:`');
  });

  it('writes a field as a person does', () => {
    assert.equal(fieldName('/0/name'), '[0].name');
    assert.equal(fieldName('/cases/case1'), 'cases.case1');
    assert.equal(fieldName('/cases/1a'), 'cases["1a"]');
    assert.equal(fieldName('/expect/log_warnings/10'), 'expect.log_warnings[10]');
    assert.equal(fieldName(''), '(top level)');
    assert.equal(fieldName('/expect/log_warnings/0'), 'expect.log_warnings[0]');
    assert.equal(fieldName('/images/debian~1*/skip'), 'images["debian/*"].skip');
    assert.equal(fieldName('/images/a~0b'), 'images["a~b"]');
    assert.equal(fieldName('/cases/my-case'), 'cases.my-case');
  });
});
