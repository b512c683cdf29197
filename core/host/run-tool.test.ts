import assert from 'node:assert/strict';
import { runTool } from './run-tool.js';

describe('runTool', () => {
  it('returns stdout and forwards every output line to the log', async () => {
    const lines: string[] = [];
    const stdout = await runTool('sh', ['-c', 'echo one; echo two >&2; echo three'], {
      log: (line) => lines.push(line),
      installHint: 'sh is everywhere',
    });
    assert.equal(stdout, 'one\nthree\n');
    // stdout and stderr are separate pipes: their relative order is not kept.
    assert.deepEqual(lines.sort(), ['one', 'three', 'two']);
  });

  it('says how to install a missing tool', async () => {
    await assert.rejects(runTool('cloudproof-no-such-tool', [], { installHint: 'apt-get install it' }), {
      code: 'IMAGE_BUILD',
      message: 'cloudproof-no-such-tool is not installed',
      hint: 'apt-get install it',
    });
  });

  it('names the exit code and the last lines of output when the tool fails', async () => {
    await assert.rejects(runTool('sh', ['-c', 'echo a; echo b; echo c >&2; echo E: d >&2; exit 3'], { installHint: '' }), {
      code: 'IMAGE_BUILD',
      message: 'sh failed (exit 3): b / c / E: d',
    });
  });

  it('stops the tool and reports an interruption when the signal aborts', async () => {
    const controller = new AbortController();
    const running = runTool('sleep', ['30'], { signal: controller.signal, installHint: '' });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(running, { code: 'ABORTED' });
  });
});
