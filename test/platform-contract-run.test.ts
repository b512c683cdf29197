import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { HarnessError } from '../core/errors.js';
import type { RunOptions } from '../harness/run/run-loop.js';
import { runOn } from './run-on.js';
import { FakePlatform } from '../platforms/fake/platform.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'cases');
const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');

/** What the run loop takes from a platform's declarations: its limits and its capabilities, before anything is launched. */
describe('run loop and the platform contract (fake platform)', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cloudproof-contract-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const run = (platform: FakePlatform, overrides: Partial<RunOptions>) => runOn(platform, join(work, 'results'), overrides);

  /** A case folder holding one case whose user-data is `bytes` long. */
  const caseOfSize = async (bytes: number): Promise<string> => {
    const dir = join(work, 'cases');
    await mkdir(dir, { recursive: true });
    const prefix = '#!/bin/sh\n# ';
    await writeFile(join(dir, 'big.yaml'), `description: user-data of ${bytes} bytes\nuser_data: |\n  ${prefix.replace('\n', '\n  ')}${'x'.repeat(bytes - prefix.length - 1)}\n`);
    return dir;
  };

  it('refuses user-data one byte over the declared limit before launching anything', async () => {
    const platform = new FakePlatform({ limits: { userDataBytes: 16_384 } });
    await assert.rejects(run(platform, { testcaseDirs: [await caseOfSize(16_385)] }), (error: unknown) => {
      assert.ok(error instanceof HarnessError);
      assert.equal(error.code, 'LIMIT_EXCEEDED');
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /big\.yaml: user-data is 16385 bytes, the platform takes at most 16384/);
      return true;
    });
    assert.deepEqual(platform.callsOf('launch'), []);
  });

  it('launches user-data of exactly the declared limit', async () => {
    const platform = new FakePlatform({ limits: { userDataBytes: 16_384 } });
    const result = await run(platform, { testcaseDirs: [await caseOfSize(16_384)] });
    assert.equal(platform.callsOf('launch').length, 1);
    assert.equal(result.manifest.cells[0]?.state, 'harvested');
  });

  it('skips a case that needs out-of-band exec on a platform without it, saying so, and runs it where it is offered', async () => {
    const sshOnly = new FakePlatform({ capabilities: ['ssh'] });
    const skipped = await run(sshOnly, { testcaseDirs: [join(FIXTURES, 'locks-ssh')] });
    assert.equal(skipped.manifest.cells[0]?.verdict, 'skipped');
    assert.match(skipped.manifest.cells[0]?.reason ?? '', /needs out-of-band-exec, which the fake platform does not offer/);
    assert.deepEqual(sshOnly.callsOf('launch'), []);

    const outOfBand = new FakePlatform({ capabilities: ['out-of-band-exec'] });
    const ran = await run(outOfBand, { testcaseDirs: [join(FIXTURES, 'locks-ssh')] });
    assert.equal(ran.manifest.cells[0]?.state, 'harvested');
  });

  it('takes its default concurrency from the platform, and refuses more than it allows', async () => {
    const platform = new FakePlatform({ limits: { defaultConcurrency: 3, maxConcurrency: 4 } });
    const result = await run(platform, {});
    assert.equal(result.manifest.concurrency, 3);
    await assert.rejects(run(platform, { concurrency: 5 }), /--concurrency 5 is more than the fake platform allows \(4\)/);
  });

  it('records what the platform declared in run.json', async () => {
    const result = await run(new FakePlatform({}), {});
    assert.equal(result.manifest.platform.summary, 'fake platform (in-process)');
    assert.equal(result.manifest.platform.limits.userDataBytes, 16_384);
    assert.equal(result.manifest.platform.readiness, 'exec of `true` succeeds');
  });

  it('harness run: oversized user-data is exit 2 and one line, before any instance exists', async () => {
    const cache = join(work, 'cache');
    const result = await execa('node', [HARNESS, 'run', '--platform', 'fake', '--testcases', await caseOfSize(20_000), '--results', join(work, 'results')], {
      reject: false,
      env: { CI: 'true', CLOUDPROOF_CACHE: cache },
    });
    assert.equal(result.exitCode, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /user-data is 20000 bytes, the platform takes at most 16384/);
    assert.deepEqual(await readdir(join(cache, 'platforms', 'fake', 'instances')).catch(() => []), []);
  });
});
