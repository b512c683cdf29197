import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, ExecTimeoutError, HarnessError } from '../../core/errors.js';
import { GuestAgent, GuestAgentCommandError } from './guest-agent.js';

/**
 * The client against the real qemu-ga, run on this host as root on a unix socket: the same
 * binary and protocol a guest runs, so everything but the virtio-serial hop is real.
 * The agent is started with guest-shutdown and suspend blocked: it would act on the host.
 */
const BLOCKED_RPCS = 'guest-shutdown,guest-suspend-disk,guest-suspend-ram,guest-suspend-hybrid,guest-fsfreeze-freeze';
const isCode = (code: string) => (error: unknown): boolean => error instanceof HarnessError && error.code === code;
const sh = (script: string): string[] => ['sh', '-c', script];
/** Processes matching `pattern` on the host, which is where this agent runs its commands. */
const running = (pattern: string): boolean => spawnSync('pgrep', ['-f', pattern]).status === 0;

describe('@e2e qemu-guest-agent client (qemu-ga on the host)', function () {
  this.timeout(60_000);
  let dir: string;
  let socketPath: string;
  let qga: ChildProcess | undefined;
  let agent: GuestAgent;

  const startAgent = async (): Promise<void> => {
    // A killed agent leaves its socket file, which would pass for the new one's.
    await rm(socketPath, { force: true });
    qga = spawn('qemu-ga', ['-m', 'unix-listen', '-p', socketPath, '-t', dir, '-f', join(dir, 'qga.pid'), '-l', join(dir, 'qga.log'), '-b', BLOCKED_RPCS], {
      stdio: 'ignore',
    });
    for (let tries = 0; tries < 100; tries++) {
      if (await stat(socketPath).then((info) => info.isSocket(), () => false)) return;
      await sleep(50);
    }
    throw new Error(`qemu-ga made no socket at ${socketPath}`);
  };
  const stopAgent = async (): Promise<void> => {
    const child = qga;
    qga = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };

  before(async function () {
    if (process.getuid?.() !== 0) {
      console.warn('    skipped: needs root (qemu-ga runs commands as the user it runs as)');
      this.skip();
    }
    if (spawnSync('qemu-ga', ['--version']).error !== undefined) {
      console.warn('    skipped: qemu-ga is not installed (apt-get install qemu-guest-agent)');
      this.skip();
    }
    dir = await mkdtemp(join(tmpdir(), 'qga-'));
    socketPath = join(dir, 'qga.sock');
    await startAgent();
    agent = new GuestAgent(socketPath, { timeoutMs: 20_000 });
  });

  after(async () => {
    agent?.close();
    await stopAgent();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  describe('exec', () => {
    it('returns the exit code and both outputs', async () => {
      const result = await agent.exec({ command: sh('printf out; printf err >&2; exit 7') });
      assert.equal(result.exitCode, 7);
      assert.equal(result.stdout.toString(), 'out');
      assert.equal(result.stderr.toString(), 'err');
    });

    it('runs argv as given, without a shell splitting it', async () => {
      const result = await agent.exec({ command: ['printf', '%s|', 'a b', '$HOME', "it's"] });
      assert.equal(result.stdout.toString(), "a b|$HOME|it's|");
    });

    it('feeds stdin byte for byte: every byte value, then 256 KiB of random bytes', async () => {
      const stdin = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, byte) => byte)), randomBytes(256 * 1024)]);
      const result = await agent.exec({ command: ['cat'], stdin });
      assert.equal(result.exitCode, 0);
      assert.ok(result.stdout.equals(stdin), `stdout differs: ${result.stdout.length} bytes of ${stdin.length}`);
    });

    it('gives a command no stdin when none is given (it reads end of file)', async () => {
      const result = await agent.exec({ command: ['cat'], timeoutMs: 5000 });
      assert.equal(result.exitCode, 0);
      assert.equal(result.stdout.length, 0);
    });

    it('runs in cwd, a path with a space in it', async () => {
      const cwd = join(dir, 'a dir');
      await mkdir(cwd);
      const result = await agent.exec({ command: ['pwd'], cwd });
      assert.equal(result.stdout.toString(), `${cwd}\n`);
    });

    it('fails, as a shell does, in a cwd that does not exist', async () => {
      const result = await agent.exec({ command: ['true'], cwd: join(dir, 'missing') });
      assert.notEqual(result.exitCode, 0);
      assert.match(result.stderr.toString(), /missing/);
    });

    it('sets env over a sane PATH and HOME=/root, and lets env override them', async () => {
      const plain = await agent.exec({ command: sh('printf %s "$FOO|$PATH|$HOME"'), env: { FOO: 'bar baz' } });
      assert.equal(plain.stdout.toString(), 'bar baz|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|/root');
      const overridden = await agent.exec({ command: sh('printf %s "$HOME"'), env: { HOME: '/tmp' } });
      assert.equal(overridden.stdout.toString(), '/tmp');
    });

    it('reports a process a signal killed as 128 + the signal', async () => {
      const result = await agent.exec({ command: sh('kill -TERM $$') });
      assert.equal(result.exitCode, 128 + 15);
    });

    it('reports a command that is not there as 127, with the reason on stderr', async () => {
      const result = await agent.exec({ command: ['/nonexistent/command'] });
      assert.equal(result.exitCode, 127);
      assert.match(result.stderr.toString(), /No such file or directory/);
    });

    it('fails with PLATFORM_API when the output exceeds the 16 MiB the agent captures', async () => {
      await assert.rejects(agent.exec({ command: ['head', '-c', '17M', '/dev/zero'] }), (error: unknown) => {
        assert.ok(isCode('PLATFORM_API')(error));
        assert.match((error as Error).message, /16 MiB/);
        return true;
      });
    });

    it('kills a command that outlives timeoutMs and throws ExecTimeoutError within a second of it', async () => {
      const started = Date.now();
      await assert.rejects(agent.exec({ command: ['sleep', '6001'], timeoutMs: 1000 }), ExecTimeoutError);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 2500, `took ${elapsed} ms`);
      assert.equal(running('sleep 6001'), false, 'the sleep still runs');
    });

    it('kills a command when its signal aborts and throws AbortedError', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 500);
      const started = Date.now();
      await assert.rejects(agent.exec({ command: ['sleep', '6002'], signal: controller.signal }), AbortedError);
      assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
      assert.equal(running('sleep 6002'), false, 'the sleep still runs');
    });

    it('throws AbortedError at once for a signal aborted before it starts', async () => {
      await assert.rejects(agent.exec({ command: ['true'], signal: AbortSignal.abort() }), AbortedError);
    });
  });

  describe('files', () => {
    it('writes 10 MiB of random bytes that cat and readFile give back intact', async () => {
      const path = join(dir, 'random.bin');
      const content = randomBytes(10 * 1024 * 1024);
      await agent.writeFile(path, content);
      const catted = await agent.exec({ command: ['cat', path] });
      assert.equal(catted.exitCode, 0);
      assert.ok(catted.stdout.equals(content), `cat gave ${catted.stdout.length} bytes of ${content.length}`);
      const read = await agent.readFile(path);
      assert.ok(read?.equals(content), `readFile gave ${read?.length} bytes of ${content.length}`);
    });

    it('replaces a file that is there, and writes an empty one', async () => {
      const path = join(dir, 'replaced');
      await agent.writeFile(path, 'a longer first content');
      await agent.writeFile(path, 'short');
      assert.equal((await agent.readFile(path))?.toString(), 'short');
      await agent.writeFile(path, '');
      assert.equal((await agent.readFile(path))?.length, 0);
    });

    it('gives a written file 0644 root:root unless told, else the mode and owner given', async () => {
      const plain = join(dir, 'plain');
      await agent.writeFile(plain, 'x');
      const plainStat = await stat(plain);
      assert.equal((plainStat.mode & 0o7777).toString(8), '644');
      assert.equal(plainStat.uid, 0);
      const owned = join(dir, 'owned');
      await agent.writeFile(owned, 'x', { mode: 0o640, uid: 1, gid: 2 });
      const ownedStat = await stat(owned);
      assert.equal((ownedStat.mode & 0o7777).toString(8), '640');
      assert.deepEqual([ownedStat.uid, ownedStat.gid], [1, 2]);
    });

    it('does not create a missing directory: PLATFORM_API with a hint to mkdir -p', async () => {
      const path = join(dir, 'no-such-dir', 'file');
      await assert.rejects(agent.writeFile(path, 'x'), (error: unknown) => {
        assert.ok(isCode('PLATFORM_API')(error));
        assert.match((error as HarnessError).hint ?? '', /mkdir -p/);
        return true;
      });
    });

    it('reads a missing file as undefined, and follows a symlink', async () => {
      assert.equal(await agent.readFile(join(dir, 'missing')), undefined);
      const target = join(dir, 'target');
      await agent.writeFile(target, 'through the link');
      await agent.exec({ command: ['ln', '-s', target, join(dir, 'link')] });
      assert.equal((await agent.readFile(join(dir, 'link')))?.toString(), 'through the link');
    });

    it('reports another refusal as the agent said it', async () => {
      await assert.rejects(agent.readFile(dir), (error: unknown) => error instanceof GuestAgentCommandError && /Is a directory/.test(error.desc));
    });
  });

  describe('the connection', () => {
    it('pings', async () => {
      await agent.ping(5000);
    });

    it('serializes concurrent requests, each getting its own reply', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, (_, index) => agent.exec({ command: ['echo', String(index)] })));
      assert.deepEqual(
        results.map((result) => result.stdout.toString()),
        Array.from({ length: 8 }, (_, index) => `${index}\n`),
      );
    });

    it('says which socket and request when the agent does not answer, then resyncs once it does', async () => {
      const pid = qga?.pid as number;
      process.kill(pid, 'SIGSTOP');
      try {
        const started = Date.now();
        await assert.rejects(agent.ping(500), (error: unknown) => {
          assert.ok(isCode('PLATFORM_API')(error));
          assert.match((error as Error).message, new RegExp(`${socketPath}.*guest-ping.*0\\.5 s`));
          return true;
        });
        assert.ok(Date.now() - started < 1500);
        // An abort mid-request leaves another reply unread.
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 200);
        await assert.rejects(agent.readFile('/etc/hostname', { signal: controller.signal }), AbortedError);
        // An exec that times out before the agent took it must never run.
        await assert.rejects(agent.exec({ command: ['sleep', '6004'], timeoutMs: 300 }), ExecTimeoutError);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      await agent.ping(5000);
      const result = await agent.exec({ command: ['echo', 'in sync'] });
      assert.equal(result.stdout.toString(), 'in sync\n');
      assert.equal(running('sleep 6004'), false, 'the exec that timed out ran after all');
    });

    it('reconnects on the next request after the agent went away and came back', async () => {
      await agent.ping(5000);
      await stopAgent();
      await assert.rejects(agent.ping(2000), isCode('PLATFORM_API'));
      await startAgent();
      await agent.ping(5000);
    });

    it('throws the agent’s refusal of a reboot', async () => {
      await assert.rejects(agent.reboot(), (error: unknown) => error instanceof GuestAgentCommandError && /disabled/.test(error.desc));
      await agent.ping(5000);
    });

    it('rejects pending requests on close, and every later one', async () => {
      // The agent serves one client at a time: the shared one must let go first.
      agent.close();
      const own = new GuestAgent(socketPath);
      await own.ping(5000);
      // A short sleep: once the client is closed nothing can kill it, so it ends by itself.
      const polling = own.exec({ command: ['sleep', '3'] });
      await sleep(300);
      // A stopped agent leaves the next requests in flight and queued.
      const pid = qga?.pid as number;
      process.kill(pid, 'SIGSTOP');
      const pending = [polling, own.ping(), own.readFile('/etc/hostname')];
      try {
        await sleep(100);
        own.close();
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      for (const request of pending) await assert.rejects(request, isCode('PLATFORM_API'));
      await assert.rejects(own.ping(), isCode('PLATFORM_API'));
    });
  });
});
