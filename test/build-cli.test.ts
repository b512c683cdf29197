import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');

/**
 * Bad --build input stops the run with one line and exit 2 before the platform is even
 * asked: LXD_DIR points at nothing, so a run that got as far as LXD would exit 3 instead.
 */
describe('harness run --build: bad input', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-build-cli-'));
    await writeFile(join(dir, 'notes.deb'), 'not a package\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const harness = (...args: string[]) =>
    execa('node', [HARNESS, 'run', '--platform', 'lxd', ...args], { reject: false, env: { CI: 'true', LXD_DIR: join(dir, 'no-lxd') } });
  const expectOneLine = async (args: string[], pattern: RegExp) => {
    const result = await harness(...args);
    assert.equal(result.exitCode, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, pattern);
  };

  it('exits 2 with one line for a .deb that does not exist', async () => {
    await expectOneLine(['--build', `deb:${join(dir, 'missing.deb')}`], /^harness: --build deb: .*missing\.deb does not exist/);
  });

  it('exits 2 with one line for a file that is not a .deb', async () => {
    await expectOneLine(['--build', `deb:${join(dir, 'notes.deb')}`], /notes\.deb is not a \.deb \(no ar archive header\)/);
  });

  it('exits 2 with one line for a repository line that does not parse', async () => {
    await expectOneLine(['--build', 'repo:deb http://host/debian'], /is not an apt source line: no suite/);
  });

  it('exits 2 with one line for --upgrade-from without a build', async () => {
    await expectOneLine(['--upgrade-from', 'image'], /--upgrade-from needs a build/);
  });
});
