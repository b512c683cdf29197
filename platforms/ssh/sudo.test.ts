import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { HarnessError } from '../../core/errors.js';
import type { ExecResult } from '../types.js';
import { asRoot, sudoRefusal } from './sudo.js';

const result = (exitCode: number, stderr = ''): ExecResult => ({ exitCode, stdout: Buffer.alloc(0), stderr: Buffer.from(stderr) });

describe('SSH as root through sudo', () => {
  it('hands sudo the whole command line as one word, from the session process itself (exec)', () => {
    const line = `cd -- '/a b' && exec 'printf' '%s' "it's" '$HOME'`;
    const wrapped = asRoot(line);
    const prefix = 'exec sudo -n -- sh -c ';
    assert.ok(wrapped.startsWith(prefix), wrapped);
    // What a shell makes of the word after `sh -c` is what sudo's shell runs.
    const parsed = spawnSync('sh', ['-c', `printf %s ${wrapped.slice(prefix.length)}`]).stdout.toString();
    assert.equal(parsed, line);
  });

  it('tells a guest without sudo from a user sudo wants a password of, naming the user', () => {
    assert.equal(sudoRefusal(result(0), 'debian', 'instance vm-1'), undefined);
    const missing = sudoRefusal(result(127), 'debian', 'instance vm-1');
    assert.ok(missing instanceof HarnessError && missing.code === 'PLATFORM_API');
    assert.equal(missing.message, 'instance vm-1: debian cannot become root: the guest has no sudo');
    const password = sudoRefusal(result(1, 'sudo: a password is required\n'), 'debian', 'instance vm-1');
    assert.equal(password?.message, 'instance vm-1: debian cannot become root without a password (sudo -n: sudo: a password is required)');
    assert.match(password?.hint ?? '', /give debian a NOPASSWD sudo rule/);
  });
});
