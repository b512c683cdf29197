import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateAccessKey } from '../../core/access-key.js';
import { AbortedError, ExecTimeoutError, HarnessError } from '../../core/errors.js';
import { SshTransport } from './index.js';

/**
 * The transport against a real OpenSSH sshd on loopback, run as root by the test: the same
 * server, shell and sftp subsystem a Debian guest runs, so everything but qemu's port
 * forward is real. Commands run on this host, which is why the test can pgrep for them.
 */
const SSHD = '/usr/sbin/sshd';
const isCode = (code: string) => (error: unknown): boolean => error instanceof HarnessError && error.code === code;
const sh = (script: string): string[] => ['sh', '-c', script];
const running = (pattern: string): boolean => spawnSync('pgrep', ['-f', pattern]).status === 0;
/** A sleep no other process on the machine runs, so that pgrep finds only ours. */
const uniqueSleep = (): string => `sleep ${randomInt(1000, 9000)}.${randomInt(100, 999)}`;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function untilListening(port: number, sshd: ChildProcess, log: () => string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    if (sshd.exitCode !== null) throw new Error(`sshd exited ${sshd.exitCode}: ${log()}`);
    const socket = createConnection(port, '127.0.0.1');
    const up = await new Promise<boolean>((resolve) => socket.once('connect', () => resolve(true)).once('error', () => resolve(false)));
    socket.destroy();
    if (up) return;
    await sleep(50);
  }
  throw new Error(`sshd did not listen on ${port}: ${log()}`);
}

describe('@e2e SSH transport (a real sshd on loopback)', function () {
  this.timeout(60_000);
  let dir: string;
  let port: number;
  let sshd: ChildProcess | undefined;
  let sshdLog = '';
  let key: { publicKey: string; privateKey: string };
  let transport: SshTransport;
  const connect = (options: { privateKey?: string; port?: number; connectTimeoutMs?: number; username?: string } = {}): SshTransport =>
    new SshTransport({
      host: '127.0.0.1',
      port: options.port ?? port,
      username: options.username ?? 'root',
      privateKey: options.privateKey ?? key.privateKey,
      what: 'instance test-sshd',
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    });

  before(async function () {
    this.timeout(360_000);
    if (process.getuid?.() !== 0) {
      console.warn('    skipped: needs root (sshd runs the commands as root, as a guest does)');
      this.skip();
    }
    if (!existsSync(SSHD)) spawnSync('apt-get', ['install', '-y', 'openssh-server'], { stdio: 'ignore', timeout: 300_000 });
    if (!existsSync(SSHD)) {
      console.warn('    skipped: sshd is not installed and could not be (apt-get install openssh-server)');
      this.skip();
    }
    dir = await mkdtemp(join(tmpdir(), 'ssh-transport-'));
    key = generateAccessKey('ssh-transport-test');
    const hostKey = join(dir, 'host_ed25519');
    const keygen = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    assert.equal(keygen.status, 0, keygen.stderr?.toString());
    await writeFile(join(dir, 'authorized_keys'), `${key.publicKey}\n`, { mode: 0o600 });
    port = await freePort();
    await writeFile(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        // The second, in the login's home, is how cloud-init authorizes its default user (the sudo tests).
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')} .ssh/authorized_keys`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        `PidFile ${join(dir, 'sshd.pid')}`,
        'StrictModes no',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );
    await mkdir('/run/sshd', { recursive: true });
    sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    sshd.stderr?.on('data', (chunk: Buffer) => {
      sshdLog = (sshdLog + chunk.toString()).slice(-4000);
    });
    await untilListening(port, sshd, () => sshdLog);
    transport = connect();
  });

  after(async () => {
    transport?.close();
    if (sshd !== undefined && sshd.exitCode === null) {
      const exited = once(sshd, 'exit');
      sshd.kill('SIGKILL');
      await exited;
    }
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  describe('exec', () => {
    it('returns the exit code', async () => {
      assert.equal((await transport.exec({ command: sh('exit 7') })).exitCode, 7);
    });

    it('says 127 for a command that is not there, as a shell does', async () => {
      assert.equal((await transport.exec({ command: ['no-such-command-here'] })).exitCode, 127);
    });

    it('hands over argv intact: spaces, quotes, shell syntax, empty words', async () => {
      const words = ['a b', "it's", '"double"', "'", '$HOME', '`id`', '\\', '*', '', ' ', 'line\nbreak', '; rm -rf /', 'ü'];
      const result = await transport.exec({ command: ['printf', '%s\\n', ...words] });
      assert.equal(result.stdout.toString(), words.map((word) => `${word}\n`).join(''));
      // The pid the command line announces on stderr is the transport's, not the caller's.
      assert.equal(result.stderr.toString(), '');
    });

    it('passes stdin through binary-safe: all 256 byte values, then 256 KiB of random bytes', async () => {
      const input = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, index) => index)), randomBytes(256 * 1024)]);
      const result = await transport.exec({ command: ['cat'], stdin: input });
      assert.equal(result.exitCode, 0);
      assert.ok(result.stdout.equals(input));
    });

    it('ends stdin at once when there is none', async () => {
      const result = await transport.exec({ command: ['wc', '-c'], timeoutMs: 10_000 });
      assert.equal(result.stdout.toString().trim(), '0');
    });

    it('returns 10 MiB of random binary stdout intact, and stderr apart', async () => {
      const big = randomBytes(10 * 1024 * 1024);
      await transport.push(join(dir, 'big.bin'), big);
      const result = await transport.exec({ command: sh(`cat "$1"; echo to-stderr >&2`).concat('sh', join(dir, 'big.bin')) });
      assert.equal(result.exitCode, 0);
      assert.ok(result.stdout.equals(big));
      assert.equal(result.stderr.toString(), 'to-stderr\n');
    });

    it('applies env and cwd', async () => {
      const cwd = join(dir, "a dir with 'quotes'");
      await mkdir(cwd);
      const env = { FOO: 'a b', BAR: "it's $HOME `id`", EMPTY: '' };
      const result = await transport.exec({ command: sh('pwd; printf "%s|" "$FOO" "$BAR" "$EMPTY" "${EMPTY+set}"'), env, cwd });
      assert.equal(result.stdout.toString(), `${cwd}\na b|it's $HOME \`id\`||set|`);
    });

    it('says a cwd that does not exist through a non-zero exit, as a shell would', async () => {
      const result = await transport.exec({ command: ['true'], cwd: join(dir, 'missing') });
      assert.notEqual(result.exitCode, 0);
      assert.match(result.stderr.toString(), /missing/);
    });

    it('refuses an environment variable name a shell cannot set', async () => {
      await assert.rejects(transport.exec({ command: ['true'], env: { 'A-B': 'x' } }), isCode('USAGE'));
    });

    it('reports a command killed by a signal as 128+n', async () => {
      assert.equal((await transport.exec({ command: sh('kill -TERM $$') })).exitCode, 128 + 15);
      assert.equal((await transport.exec({ command: sh('kill -KILL $$') })).exitCode, 128 + 9);
    });

    it('kills a command that outlives its timeout, with what it started, and says EXEC_TIMEOUT', async () => {
      const sleeper = uniqueSleep();
      const started = Date.now();
      // The sleep is the shell's child: only a kill of the whole process group ends it.
      const running1 = transport.exec({ command: sh(`${sleeper}; echo never`), timeoutMs: 1500 });
      await assert.rejects(running1, (error: unknown) => error instanceof ExecTimeoutError && error.code === 'EXEC_TIMEOUT');
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      assert.equal(running(sleeper), false, `${sleeper} still runs`);
    });

    it('kills the command on abort and says AbortedError', async () => {
      const sleeper = uniqueSleep();
      const controller = new AbortController();
      const result = transport.exec({ command: sh(`${sleeper}; echo never`), signal: controller.signal });
      await sleep(700);
      assert.equal(running(sleeper), true, 'the sleep should have started');
      const aborted = Date.now();
      controller.abort();
      await assert.rejects(result, (error: unknown) => error instanceof AbortedError);
      assert.ok(Date.now() - aborted < 2000, `took ${Date.now() - aborted} ms`);
      assert.equal(running(sleeper), false, `${sleeper} still runs`);
    });

    it('rejects at once when the signal is already aborted', async () => {
      await assert.rejects(transport.exec({ command: ['true'], signal: AbortSignal.abort() }), (error: unknown) => error instanceof AbortedError);
    });

    it('runs more execs at once than a connection has channels for, queueing the rest', async () => {
      // sshd refuses an 11th session on a connection: without the queue some of these would fail.
      const results = await Promise.all(Array.from({ length: 12 }, (_, index) => transport.exec({ command: sh(`sleep 0.5; echo ${index}`) })));
      assert.deepEqual(
        results.map((result) => result.stdout.toString()),
        Array.from({ length: 12 }, (_, index) => `${index}\n`),
      );
    });
  });

  describe('push and pull', () => {
    const stat = async (path: string): Promise<string> => (await transport.exec({ command: ['stat', '-c', '%a %u %g', path] })).stdout.toString().trim();

    it('writes with the mode and owner asked for, and replaces a file that is there', async () => {
      const path = join(dir, 'pushed.txt');
      await transport.push(path, 'a longer first content\n', { mode: 0o640, uid: 1, gid: 2 });
      assert.equal(await stat(path), '640 1 2');
      await transport.push(path, 'short\n');
      assert.equal(await readFile(path, 'utf8'), 'short\n');
      assert.equal(await stat(path), '644 0 0');
    });

    it('pushes an empty file', async () => {
      const path = join(dir, 'empty');
      await transport.push(path, new Uint8Array(0));
      assert.equal((await readFile(path)).length, 0);
    });

    it('creates no directory: says to mkdir -p', async () => {
      const path = join(dir, 'no', 'such', 'dir', 'file');
      await assert.rejects(transport.push(path, 'x'), (error: unknown) => {
        assert.ok(error instanceof HarnessError);
        assert.equal(error.code, 'PLATFORM_API');
        assert.match(error.message, /directory does not exist/);
        assert.equal(error.hint, `create it first (mkdir -p ${join(dir, 'no', 'such', 'dir')})`);
        return true;
      });
    });

    it('pulls a file intact, through a symlink too', async () => {
      const content = randomBytes(3 * 1024 * 1024 + 17);
      await writeFile(join(dir, 'to-pull.bin'), content);
      await symlink(join(dir, 'to-pull.bin'), join(dir, 'link-to-pull'));
      assert.ok((await transport.pull(join(dir, 'to-pull.bin')))?.equals(content));
      assert.ok((await transport.pull(join(dir, 'link-to-pull')))?.equals(content));
    });

    it('pulls a 10 MiB file intact', async () => {
      const content = randomBytes(10 * 1024 * 1024);
      await writeFile(join(dir, 'big-pull.bin'), content);
      assert.ok((await transport.pull(join(dir, 'big-pull.bin')))?.equals(content));
    });

    it('says undefined for a file that is not there, and refuses a directory', async () => {
      assert.equal(await transport.pull(join(dir, 'not-there')), undefined);
      await assert.rejects(transport.pull(dir), (error: unknown) => isCode('PLATFORM_API')(error) && /is a directory/.test((error as Error).message));
    });
  });

  describe('connections', () => {
    it('records the host key fingerprint as ssh-keygen prints it', () => {
      const printed = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'host_ed25519.pub')]).stdout.toString();
      assert.equal(transport.hostKeyFingerprint, printed.split(' ')[1]);
    });

    it('says the key was refused when it is not authorized', async () => {
      const stranger = connect({ privateKey: generateAccessKey('stranger').privateKey });
      try {
        await assert.rejects(stranger.exec({ command: ['true'] }), (error: unknown) => isCode('PLATFORM_API')(error) && /refused the SSH key for root/.test((error as Error).message));
      } finally {
        stranger.close();
      }
    });

    it('says PLATFORM_API within the connect timeout when nothing listens', async () => {
      const nobody = connect({ port: await freePort(), connectTimeoutMs: 2000 });
      const started = Date.now();
      try {
        await assert.rejects(nobody.exec({ command: ['true'] }), (error: unknown) => isCode('PLATFORM_API')(error) && /cannot reach instance test-sshd over SSH at 127\.0\.0\.1:\d+/.test((error as Error).message));
      } finally {
        nobody.close();
      }
      assert.ok(Date.now() - started < 2500);
    });

    it('gives up within the connect timeout on a server that never speaks SSH', async () => {
      const silent: Server = createServer(() => undefined);
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      const mute = connect({ port: (silent.address() as { port: number }).port, connectTimeoutMs: 1000 });
      const started = Date.now();
      try {
        await assert.rejects(mute.exec({ command: ['true'] }), (error: unknown) => isCode('PLATFORM_API')(error) && /no SSH handshake within 1 s/.test((error as Error).message));
        assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
      } finally {
        mute.close();
        silent.close();
      }
    });

    it('says EXEC_TIMEOUT when the exec timeout passes while connecting', async () => {
      const silent: Server = createServer(() => undefined);
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      const mute = connect({ port: (silent.address() as { port: number }).port, connectTimeoutMs: 10_000 });
      try {
        await assert.rejects(mute.exec({ command: ['true'], timeoutMs: 500 }), (error: unknown) => error instanceof ExecTimeoutError);
      } finally {
        mute.close();
        silent.close();
      }
    });

    it('reconnects after the server dropped the connection', async () => {
      assert.equal((await transport.exec({ command: ['true'] })).exitCode, 0);
      // sshd forks a process for each connection: killing ours drops it, as a guest's reboot does.
      const children = spawnSync('pgrep', ['-P', String(sshd?.pid)]).stdout.toString().trim().split('\n').filter(Boolean);
      assert.ok(children.length > 0, 'sshd should have a process for the connection');
      for (const child of children) process.kill(Number(child), 'SIGKILL');
      await sleep(300);
      const result = await transport.exec({ command: ['echo', 'back'] });
      assert.equal(result.stdout.toString(), 'back\n');
    });

    it('rejects pending and later calls with PLATFORM_API once closed', async () => {
      const closing = connect();
      const pending = closing.exec({ command: sh('sleep 2') });
      await sleep(700);
      closing.close();
      await assert.rejects(pending, (error: unknown) => isCode('PLATFORM_API')(error) && /closed/.test((error as Error).message));
      await assert.rejects(closing.exec({ command: ['true'] }), isCode('PLATFORM_API'));
      await assert.rejects(closing.pull('/etc/hostname'), isCode('PLATFORM_API'));
    });
  });

  /**
   * Logged in as a user who is not root, as on a cloud image whose root key cloud-init
   * disables: everything runs through `sudo -n`. The users are real accounts of this host,
   * one with cloud-init's NOPASSWD rule and one without any.
   */
  describe('as a user who becomes root through sudo', () => {
    const suffix = randomBytes(3).toString('hex');
    const sudoer = `cpsudo${suffix}`;
    const stranger = `cpnosudo${suffix}`;
    const sudoersFile = `/etc/sudoers.d/cloudproof-test-${suffix}`;
    let viaSudo: SshTransport;

    const addUser = async (name: string): Promise<void> => {
      // `*`, not useradd's locked `!`: sshd without PAM refuses a locked account even for a key.
      const added = spawnSync('useradd', ['--create-home', '--home-dir', `/tmp/${name}`, '--shell', '/bin/sh', '--password', '*', name]);
      assert.equal(added.status, 0, added.stderr?.toString());
      await mkdir(`/tmp/${name}/.ssh`, { recursive: true });
      await writeFile(`/tmp/${name}/.ssh/authorized_keys`, `${key.publicKey}\n`, { mode: 0o600 });
      spawnSync('chown', ['-R', `${name}:${name}`, `/tmp/${name}`]);
    };

    before(async function () {
      if (!existsSync('/usr/bin/sudo')) spawnSync('apt-get', ['install', '-y', 'sudo'], { stdio: 'ignore', timeout: 300_000 });
      if (!existsSync('/usr/bin/sudo')) {
        console.warn('    skipped: sudo is not installed and could not be (apt-get install sudo)');
        this.skip();
      }
      await addUser(sudoer);
      await addUser(stranger);
      await writeFile(sudoersFile, `${sudoer} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
      viaSudo = connect({ username: sudoer });
    });
    after(async () => {
      viaSudo?.close();
      await rm(sudoersFile, { force: true });
      for (const name of [sudoer, stranger]) spawnSync('userdel', ['--remove', name], { stdio: 'ignore' });
    });

    it('runs commands as root, with exit code, argv, env and cwd intact and nothing of sudo on stderr', async () => {
      assert.equal((await viaSudo.exec({ command: ['id', '-u'] })).stdout.toString(), '0\n');
      assert.equal((await viaSudo.exec({ command: sh('exit 7') })).exitCode, 7);
      const words = ['a b', "it's", '$HOME', '`id`', '', 'line\nbreak'];
      const printed = await viaSudo.exec({ command: ['printf', '%s|', ...words] });
      assert.equal(printed.stdout.toString(), words.map((word) => `${word}|`).join(''));
      assert.equal(printed.stderr.toString(), '');
      const applied = await viaSudo.exec({ command: sh('pwd; printf %s "$FOO"'), env: { FOO: "it's" }, cwd: dir });
      assert.equal(applied.stdout.toString(), `${dir}\nit's`);
    });

    it('passes every byte value through stdin', async () => {
      const input = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, index) => index)), randomBytes(64 * 1024)]);
      assert.ok((await viaSudo.exec({ command: ['cat'], stdin: input })).stdout.equals(input));
    });

    it('kills a root command that outlives its timeout, with what it started', async () => {
      const sleeper = uniqueSleep();
      await assert.rejects(viaSudo.exec({ command: sh(`${sleeper}; echo never`), timeoutMs: 1500 }), (error: unknown) => error instanceof ExecTimeoutError);
      assert.equal(running(sleeper), false, `${sleeper} still runs`);
    });

    it('pushes as root with the mode and owner asked for, root:root 0644 otherwise, and pulls it back', async () => {
      const path = join(dir, 'pushed-through-sudo.bin');
      const content = randomBytes(300 * 1024);
      await viaSudo.push(path, content, { mode: 0o600, uid: 1, gid: 2 });
      assert.equal((await viaSudo.exec({ command: ['stat', '-c', '%a %u %g', path] })).stdout.toString().trim(), '600 1 2');
      assert.ok((await readFile(path)).equals(content));
      await viaSudo.push(path, 'short\n');
      assert.equal((await viaSudo.exec({ command: ['stat', '-c', '%a %u %g', path] })).stdout.toString().trim(), '644 0 0');
      assert.equal((await viaSudo.pull(path))?.toString(), 'short\n');
    });

    it('pulls undefined for a missing file, refuses a directory and a missing parent', async () => {
      assert.equal(await viaSudo.pull(join(dir, 'not-there')), undefined);
      await assert.rejects(viaSudo.pull(dir), (error: unknown) => isCode('PLATFORM_API')(error) && /is a directory/.test((error as Error).message));
      await assert.rejects(viaSudo.push(join(dir, 'none', 'file'), 'x'), (error: unknown) => isCode('PLATFORM_API')(error) && (error as HarnessError).hint === `create it first (mkdir -p ${join(dir, 'none')})`);
    });

    it('says which user cannot become root when sudo wants a password, and runs nothing', async () => {
      const refused = connect({ username: stranger });
      try {
        await assert.rejects(refused.exec({ command: ['touch', join(dir, 'never')] }), (error: unknown) => {
          assert.ok(isCode('PLATFORM_API')(error), String(error));
          assert.match((error as Error).message, new RegExp(`${stranger} cannot become root without a password`));
          assert.match((error as HarnessError).hint ?? '', /NOPASSWD/);
          return true;
        });
        assert.equal(existsSync(join(dir, 'never')), false);
      } finally {
        refused.close();
      }
    });
  });
});
