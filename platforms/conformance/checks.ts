import { CLOUD_INIT_DISABLED, CLOUD_INIT_LOG } from '../../core/cloud-init-paths.js';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isCapability } from '../../core/capabilities.js';
import { AbortedError, HarnessError } from '../../core/errors.js';
import { LABEL_RUN } from '../../core/run-id.js';
import { checkLaunchLimits } from '../limits.js';
import { SshTransport } from '../ssh/index.js';
import { readBootId } from '../wait/index.js';
import { LAUNCHED, type KilledRunRequest } from './killed-run-protocol.js';
import type { RULES } from './rules.js';
import { check, conformanceImageAlias, describeError, excerpt, LABEL_PROBE, nonce, PROBE_INTERFACE, RuleViolation, settleWithin, type Session } from './session.js';

/** Resolves with a detail worth showing even when the rule passed, or nothing; throws when the rule does not hold. */
export type Check = (session: Session, signal: AbortSignal) => Promise<string | undefined>;

type CheckedRuleId = Exclude<(typeof RULES)[number], { readonly uncheckedBecause: string }>['id'];

/** The bound the standard puts on exec.timeout and exec.abort: generous, so that only a driver that ignores them fails. */
const PROMPT_MS = 20_000;
const KILLED_RUN_CHILD = fileURLToPath(new URL('./killed-run-child.js', import.meta.url));

export const CHECKS: Readonly<Record<CheckedRuleId, Check>> = {
  'capabilities.declared': async (session) => {
    const declared = session.input.driver.capabilities;
    const offered = session.platform.capabilities;
    const invalid = declared.filter((name) => !isCapability(name));
    check(invalid.length === 0, `the driver declares what is no capability: ${invalid.join(', ')} (a driver's own is named <driver>:<name>)`);
    const missing = declared.filter((name) => !offered.has(name));
    const extra = [...offered].filter((name) => !declared.includes(name));
    check(missing.length === 0 && extra.length === 0, () => `the platform offers ${[...offered].join(', ') || 'nothing'}, its driver declares ${declared.join(', ') || 'nothing'}`);
    return undefined;
  },

  'limits.declared': async (session) => {
    const limits = session.platform.limits;
    const problems: string[] = [];
    if (!Number.isInteger(limits.defaultConcurrency) || limits.defaultConcurrency < 1) problems.push(`defaultConcurrency ${limits.defaultConcurrency} is not a whole number ≥ 1`);
    if (limits.maxConcurrency !== undefined && (!Number.isInteger(limits.maxConcurrency) || limits.maxConcurrency < limits.defaultConcurrency)) {
      problems.push(`maxConcurrency ${limits.maxConcurrency} is below defaultConcurrency ${limits.defaultConcurrency}`);
    }
    if (!Number.isFinite(limits.bootTimeoutFactor) || limits.bootTimeoutFactor < 1) problems.push(`bootTimeoutFactor ${limits.bootTimeoutFactor} is not ≥ 1`);
    if (limits.userDataBytes !== undefined && (!Number.isInteger(limits.userDataBytes) || limits.userDataBytes < 1)) problems.push(`userDataBytes ${limits.userDataBytes} is not a whole number ≥ 1`);
    check(problems.length === 0, problems.join('; '));
    const limit = limits.userDataBytes;
    if (limit === undefined) return 'no user-data limit declared, so none was launched at the limit';
    const atLimit = userDataOfBytes(limit);
    checkLaunchLimits(limits, { userData: atLimit, what: 'user-data at the limit' });
    try {
      checkLaunchLimits(limits, { userData: `${atLimit}#`, what: 'user-data one byte over the limit' });
      throw new RuleViolation(`checkLaunchLimits took ${limit + 1} bytes of user-data, over the declared ${limit}`);
    } catch (error) {
      if (!(error instanceof HarnessError) || error.code !== 'LIMIT_EXCEEDED') throw error;
    }
    const booted = await session.boot('limit', { userData: atLimit });
    const printed = await session.exec(booted.instance, ['cloud-init', 'query', 'userdata']);
    check(printed.exitCode === 0 && deliveredExactly(printed.stdout.toString('utf8'), atLimit), () => `user-data of exactly ${limit} bytes did not arrive whole: \`cloud-init query userdata\` exited ${printed.exitCode} with ${printed.stdout.length} bytes`);
    return `user-data of exactly ${limit} bytes launched and arrived whole; ${limit + 1} bytes refused`;
  },

  'launch.failure-leaves-nothing': async (session) => {
    const missing = randomBytes(32).toString('hex');
    const probe = nonce();
    const labels = session.labels(probe);
    let rejection: unknown;
    try {
      await session.platform.launch({
        name: session.newName('no-image'),
        imageFingerprint: missing,
        userData: '#cloud-config\n',
        accessKey: session.accessKey,
        labels,
      });
    } catch (error) {
      rejection = error;
    }
    check(rejection !== undefined, `launch from the image fingerprint ${missing}, which no image has, resolved`);
    const left = await session.platform.listByLabel(labels);
    check(left.length === 0, () => `the failed launch left ${left.map((found) => `${found.name} (${found.status})`).join(', ')} behind`);
    return `rejected with ${describeError(rejection)}`;
  },

  'readiness.ready': async (session) => {
    const booted = await session.mainInstance();
    check(booted.readyMs <= session.bootTimeoutMs, `waitUntilReady took ${Math.round(booted.readyMs / 1000)} s, over its timeoutMs of ${session.bootTimeoutMs / 1000} s`);
    const { cloudInit } = booted;
    check(!('error' in cloudInit), () => `\`cloud-init status --wait\` failed: ${'error' in cloudInit ? cloudInit.error : ''}`);
    // Exit 2 is cloud-init ≥ 23.4 saying it finished with recoverable errors: still finished.
    check(cloudInit.exitCode === 0 || cloudInit.exitCode === 2, `\`cloud-init status --wait\` exited ${cloudInit.exitCode}: ${excerpt(cloudInit.stdout)}`);
    // The dots are its progress while it waits, printed on the line of the status.
    check(/^\.*status: done$/m.test(cloudInit.stdout), `\`cloud-init status --wait\` printed no "status: done": ${excerpt(cloudInit.stdout)}`);
    return `ready in ${(booted.readyMs / 1000).toFixed(1)} s, cloud-init done ${(cloudInit.ms / 1000).toFixed(1)} s later`;
  },

  'launch.labels-round-trip': async (session) => {
    const { instance, labels, probe } = await session.mainInstance();
    const some = { [LABEL_RUN]: session.runId, [LABEL_PROBE]: probe };
    const found = await session.platform.listByLabel(some);
    check(found.length === 1 && found[0]?.name === instance.name, () => `listByLabel(${JSON.stringify(some)}) found ${found.map((summary) => summary.name).join(', ') || 'nothing'}, not just ${instance.name}`);
    const wrong = Object.entries(labels).filter(([key, value]) => found[0]?.labels[key] !== value);
    check(wrong.length === 0, () => `listByLabel gave ${instance.name} the labels ${JSON.stringify(found[0]?.labels)}, launched with ${JSON.stringify(labels)}`);
    const astray = await session.platform.listByLabel({ ...some, [LABEL_PROBE]: `${probe}-other` });
    check(astray.length === 0, () => `listByLabel with a label value ${instance.name} does not have found ${astray.map((summary) => summary.name).join(', ')}`);
    return undefined;
  },

  'exec.exit-code': async (session) => {
    const { instance } = await session.mainInstance();
    const seven = await session.exec(instance, ['sh', '-c', 'exit 7']);
    check(seven.exitCode === 7, `\`sh -c 'exit 7'\` gave exit code ${seven.exitCode}`);
    const zero = await session.exec(instance, ['true']);
    check(zero.exitCode === 0, `\`true\` gave exit code ${zero.exitCode}`);
    return undefined;
  },

  'exec.root': async (session) => {
    const { instance } = await session.mainInstance();
    const result = await session.exec(instance, ['id', '-u']);
    check(result.exitCode === 0 && result.stdout.toString('utf8').trim() === '0', `\`id -u\` exited ${result.exitCode} printing ${excerpt(result.stdout)}`);
    return undefined;
  },

  'exec.stdin': async (session) => {
    const { instance } = await session.mainInstance();
    // Every byte value first, where a text-minded transport mangles one; then enough to span several of its chunks.
    const sent = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, byte) => byte)), randomBytes(256 * 1024)]);
    const result = await session.exec(instance, ['cat'], { stdin: sent });
    check(result.exitCode === 0, `\`cat\` exited ${result.exitCode}: ${excerpt(result.stderr)}`);
    check(result.stdout.equals(sent), () => `\`cat\` gave back ${result.stdout.length} bytes for ${sent.length}${firstDifference(sent, result.stdout)}`);
    return undefined;
  },

  'exec.binary-output': async (session) => {
    const { instance } = await session.mainInstance();
    const path = '/var/tmp/cloudproof-conformance-10mib.bin';
    const sent = randomBytes(10 * 1024 * 1024);
    await instance.push(path, sent);
    const result = await session.exec(instance, ['cat', path]);
    check(result.exitCode === 0, `\`cat ${path}\` exited ${result.exitCode}: ${excerpt(result.stderr)}`);
    check(sha256(result.stdout) === sha256(sent), () => `\`cat ${path}\` printed ${result.stdout.length} bytes whose sha256 is not that of the ${sent.length} pushed${firstDifference(sent, result.stdout)}`);
    return undefined;
  },

  'exec.timeout': async (session) => {
    const { instance } = await session.mainInstance();
    const outcome = await settleWithin(instance.exec({ command: ['sleep', '60'], timeoutMs: 1000 }), PROMPT_MS);
    check(outcome.state !== 'pending', `\`sleep 60\` with timeoutMs 1000 had not settled after ${PROMPT_MS / 1000} s`);
    check(outcome.state === 'rejected', () => `\`sleep 60\` with timeoutMs 1000 resolved (exit ${outcome.state === 'resolved' ? outcome.value.exitCode : '?'})`);
    check(outcome.error instanceof HarnessError && outcome.error.code === 'EXEC_TIMEOUT', `\`sleep 60\` with timeoutMs 1000 rejected with ${describeError(outcome.error)}, not a HarnessError with code EXEC_TIMEOUT`);
    return undefined;
  },

  'exec.abort': async (session) => {
    const { instance } = await session.mainInstance();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 500);
    try {
      const outcome = await settleWithin(instance.exec({ command: ['sleep', '60'], signal: controller.signal }), PROMPT_MS);
      check(outcome.state !== 'pending', `\`sleep 60\` aborted after 500 ms had not settled after ${PROMPT_MS / 1000} s`);
      check(outcome.state === 'rejected', () => `\`sleep 60\` aborted after 500 ms resolved (exit ${outcome.state === 'resolved' ? outcome.value.exitCode : '?'})`);
      check(outcome.error instanceof AbortedError, `\`sleep 60\` aborted after 500 ms rejected with ${describeError(outcome.error)}, not an AbortedError`);
    } finally {
      clearTimeout(timer);
    }
    return undefined;
  },

  'files.push-pull': async (session) => {
    const { instance } = await session.mainInstance();
    const path = '/var/tmp/cloudproof-conformance.bin';
    const sent = randomBytes(256 * 1024);
    await instance.push(path, sent, { mode: 0o640 });
    const pulled = await instance.pull(path);
    check(pulled !== undefined, `pull of ${path}, just pushed, gave undefined`);
    check(pulled.equals(sent), () => `pull of ${path} gave ${pulled.length} bytes, not the ${sent.length} pushed${firstDifference(sent, pulled)}`);
    const mode = await session.exec(instance, ['stat', '-c', '%a', path]);
    check(mode.exitCode === 0 && mode.stdout.toString('utf8').trim() === '640', `\`stat -c %a ${path}\` exited ${mode.exitCode} printing ${excerpt(mode.stdout)}, not 640`);
    const missing = `/var/tmp/cloudproof-conformance-missing-${nonce()}`;
    const nothing = await instance.pull(missing);
    check(nothing === undefined, `pull of ${missing}, which does not exist, gave ${nothing?.length} bytes instead of undefined`);
    return undefined;
  },

  'user-data.delivered': async (session) => {
    const { instance, userData } = await session.mainInstance();
    const result = await session.exec(instance, ['cloud-init', 'query', 'userdata']);
    check(result.exitCode === 0, `\`cloud-init query userdata\` exited ${result.exitCode}: ${excerpt(result.stderr)}`);
    const printed = result.stdout.toString('utf8');
    check(deliveredExactly(printed, userData), `\`cloud-init query userdata\` printed ${excerpt(printed)}, launched with ${excerpt(userData)}`);
    return undefined;
  },

  'console-log.readable': async (session) => {
    const { instance } = await session.mainInstance();
    const log: unknown = await instance.consoleLog();
    check(typeof log === 'string', `consoleLog() gave ${typeof log}, not a string`);
    return `${log.length} characters`;
  },

  'vendor-data.delivered': async (session) => {
    const { instance, vendorNonce } = await session.dataInstance();
    const result = await session.exec(instance, ['cloud-init', 'query', 'vendordata']);
    check(result.exitCode === 0, `\`cloud-init query vendordata\` exited ${result.exitCode}: ${excerpt(result.stderr)}`);
    check(result.stdout.toString('utf8').includes(vendorNonce), `\`cloud-init query vendordata\` printed ${excerpt(result.stdout)}, without the launch's vendor-data comment ${vendorNonce}`);
    return undefined;
  },

  'meta-data.delivered': async (session) => {
    const { instance, metaNonce } = await session.dataInstance();
    const result = await session.exec(instance, ['cloud-init', 'query', 'ds.meta_data.cloudproof_probe']);
    check(result.exitCode === 0, `\`cloud-init query ds.meta_data.cloudproof_probe\` exited ${result.exitCode}: ${excerpt(result.stderr)}`);
    check(result.stdout.toString('utf8').trim() === metaNonce, `\`cloud-init query ds.meta_data.cloudproof_probe\` printed ${excerpt(result.stdout)}, launched with ${metaNonce}`);
    return undefined;
  },

  'network-config.delivered': async (session) => {
    const { instance } = await session.dataInstance();
    const path = CLOUD_INIT_LOG;
    const log = await instance.pull(path);
    check(log !== undefined, `${path} does not exist`);
    const applied = log.toString('utf8').split('\n').filter((line) => line.includes('Applying network configuration from ds'));
    check(applied.length > 0, `${path} has no "Applying network configuration from ds": cloud-init did not take the network configuration from the datasource`);
    check(applied.some((line) => line.includes(PROBE_INTERFACE)), `cloud-init applied a network configuration from the datasource without ${PROBE_INTERFACE}: ${excerpt(applied[0] ?? '', 240)}`);
    return undefined;
  },

  'preboot-files.before-first-boot': async (session, signal) => {
    // The marker is what the harness relies on the capability for; only a file there before boot can keep cloud-init from running.
    const path = '/etc/cloudproof-conformance-preboot';
    const sent = `cloudproof conformance ${nonce()}\n`;
    const { instance } = await session.launch('preboot', { userData: '#cloud-config\n', files: [{ path: CLOUD_INIT_DISABLED, content: '' }, { path, content: sent, mode: 0o600 }] });
    await session.platform.readiness.waitUntilReady(instance, { timeoutMs: session.bootTimeoutMs, signal });
    const pulled = await instance.pull(path);
    check(pulled?.toString('utf8') === sent, () => `${path}, given to the launch, holds ${pulled === undefined ? 'nothing (missing)' : excerpt(pulled)}, not ${excerpt(sent)}`);
    const mode = await session.exec(instance, ['stat', '-c', '%a %u', path]);
    check(mode.exitCode === 0 && mode.stdout.toString('utf8').trim() === '600 0', `\`stat -c '%a %u' ${path}\` exited ${mode.exitCode} printing ${excerpt(mode.stdout)}, not "600 0"`);
    const status = await session.exec(instance, ['cloud-init', 'status', '--wait'], { timeoutMs: session.bootTimeoutMs });
    check(/^\.*status: disabled$/m.test(status.stdout.toString('utf8')), `with ${CLOUD_INIT_DISABLED} given to the launch, \`cloud-init status --wait\` printed ${excerpt(status.stdout)}, not "status: disabled": the file came after cloud-init had started`);
    await instance.delete();
    return undefined;
  },

  'gc.finds-killed-run': async (session, signal) => {
    const runId = session.anotherRunId();
    const name = session.newName('killed', runId);
    const request: KilledRunRequest = {
      choice: session.input.choice,
      cwd: process.cwd(),
      options: session.input.options,
      launch: {
        name,
        imageFingerprint: session.image.fingerprint,
        userData: '#cloud-config\n# cloudproof conformance: the instance of a killed run\n',
        accessKey: session.accessKey,
        labels: session.labels(nonce(), runId),
      },
    };
    session.input.log(`a child process launches ${name}, then gets SIGKILL`);
    await launchAndKill(request, session.bootTimeoutMs + 30_000, signal);
    const fresh = session.input.driver.create(session.input.options);
    try {
      await fresh.connect();
      const found = await fresh.listByLabel({ [LABEL_RUN]: runId });
      check(found.length === 1 && found[0]?.name === name, () => `a fresh platform's listByLabel(${LABEL_RUN}=${runId}) found ${found.map((summary) => summary.name).join(', ') || 'nothing'}, not just ${name}`);
      await fresh.destroy(name);
      const left = await fresh.listByLabel({ [LABEL_RUN]: runId });
      check(left.length === 0, () => `after destroy(${name}), listByLabel still finds ${left.map((summary) => `${summary.name} (${summary.status})`).join(', ')}`);
    } finally {
      await fresh.close();
    }
    return undefined;
  },

  'out-of-band-exec.without-sshd': async (session) => {
    const { instance } = await session.mainInstance();
    // An image without sshd fails the stop, which is as good as stopped.
    await session.exec(instance, ['systemctl', 'stop', 'ssh']);
    const result = await session.exec(instance, ['true']);
    check(result.exitCode === 0, `with sshd stopped, \`true\` exited ${result.exitCode}`);
    return undefined;
  },

  'ssh.reachable': async (session, signal) => {
    const { instance } = await session.launch('ssh', { userData: '#cloud-config\n', transport: 'ssh' });
    await session.platform.readiness.waitUntilReady(instance, { timeoutMs: session.bootTimeoutMs, signal });
    check(instance.transport === undefined || instance.transport === 'ssh', `launched with transport ssh, the instance says it is reached ${instance.transport}`);
    const endpoint = instance.sshEndpoint;
    check(endpoint !== undefined, 'launched with transport ssh, the instance names no sshEndpoint');
    const path = `/var/tmp/cloudproof-conformance-ssh-${nonce()}`;
    const sent = `cloudproof conformance ${session.runId} over SSH\n`;
    const own = new SshTransport({ ...endpoint, privateKey: session.accessKey.privateKey, what: `${instance.name} (the suite's own SSH client)` });
    try {
      const uid = await own.exec({ command: ['id', '-u'], timeoutMs: 60_000, signal });
      check(uid.exitCode === 0 && uid.stdout.toString('utf8').trim() === '0', `logged in as ${endpoint.username} at ${endpoint.host}:${endpoint.port}, \`id -u\` exited ${uid.exitCode} printing ${excerpt(uid.stdout)}, not 0`);
      await own.push(path, sent, { signal });
    } finally {
      own.close();
    }
    const pulled = await instance.pull(path);
    check(pulled?.toString('utf8') === sent, () => `${path}, written by the suite over SSH, pulled through the instance holds ${pulled === undefined ? 'nothing' : excerpt(pulled)}`);
    // Up the exec's process tree to sshd: an exec that came another way has none.
    const underSshd = await session.exec(instance, ['sh', '-c', 'p=$$; while [ "$p" -gt 1 ]; do [ "$(cat /proc/$p/comm)" = sshd ] && exit 0; p=$(cut -d" " -f4 /proc/$p/stat); done; exit 1']);
    check(underSshd.exitCode === 0, `the instance's exec has no sshd among its parents (exit ${underSshd.exitCode}): it did not come over SSH`);
    await instance.delete();
    return `${endpoint.username}@${endpoint.host}:${endpoint.port}, host key ${own.hostKeyFingerprint ?? 'unseen'}`;
  },

  'reboot.new-boot-id': async (session, signal) => {
    const { instance } = await session.mainInstance();
    const before = await readBootId(instance, signal);
    await instance.restart(signal);
    const after = await readBootId(instance, signal);
    check(after !== before, `restart() returned in the boot it started from (boot id ${before})`);
    const result = await session.exec(instance, ['true']);
    check(result.exitCode === 0, `after restart, \`true\` exited ${result.exitCode}`);
    return undefined;
  },

  'publish.launches': async (session, signal) => {
    const { instance } = await session.mainInstance();
    const alias = conformanceImageAlias(session.runId);
    session.trackImageAlias(alias);
    session.input.log(`publishing ${instance.name} as ${alias}`);
    const image = await instance.publish({ aliases: [alias], properties: { 'cloudproof.conformance-run': session.runId }, signal });
    session.trackImage(image.fingerprint);
    const { instance: offspring } = await session.launch('published', { imageFingerprint: image.fingerprint, userData: '#cloud-config\n' });
    await session.platform.readiness.waitUntilReady(offspring, { timeoutMs: session.bootTimeoutMs, signal });
    const result = await session.exec(offspring, ['true']);
    check(result.exitCode === 0, `in an instance of the published image, \`true\` exited ${result.exitCode}`);
    await offspring.delete();
    await session.platform.deleteImage(image.fingerprint);
    await session.platform.deleteImage(image.fingerprint);
    const gone = await session.platform.findImage(image.fingerprint);
    check(gone === undefined, `after deleteImage, findImage(${image.fingerprint}) still finds it`);
    return undefined;
  },

  'delete.idempotent': async (session) => {
    const { instance, probe } = await session.mainInstance();
    await instance.delete();
    await instance.delete();
    await session.platform.destroy(instance.name);
    const left = await session.platform.listByLabel({ [LABEL_RUN]: session.runId, [LABEL_PROBE]: probe });
    check(left.length === 0, () => `after delete, listByLabel still finds ${left.map((summary) => `${summary.name} (${summary.status})`).join(', ')}`);
    return undefined;
  },
};

/** `cloud-init query` prints what it read with Python's print(), which adds one newline. */
function deliveredExactly(printed: string, sent: string): boolean {
  return printed === sent || printed === `${sent}\n`;
}

/** A #cloud-config of exactly `bytes` bytes, a comment filling it; a limit too small for the header gets comment only. */
function userDataOfBytes(bytes: number): string {
  const head = '#cloud-config\n# cloudproof conformance: user-data at the platform limit\n';
  return bytes < head.length + 1 ? '#'.repeat(bytes) : `${head}${'#'.repeat(bytes - head.length - 1)}\n`;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function firstDifference(sent: Buffer, got: Buffer): string {
  const common = Math.min(sent.length, got.length);
  for (let at = 0; at < common; at++) {
    if (sent[at] !== got[at]) return `, first differing at byte ${at} (0x${sent[at]?.toString(16)} became 0x${got[at]?.toString(16)})`;
  }
  return '';
}

/**
 * Runs killed-run.ts in a child that loads the same driver as this process and launches
 * `request.launch`; once it says the launch returned, SIGKILL: no finally, no signal
 * handler, nothing of the child's own cleanup runs.
 */
async function launchAndKill(request: KilledRunRequest, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const child = spawn(process.execPath, [KILLED_RUN_CHILD], { cwd: request.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const closed = new Promise<string>((resolve) => {
    child.once('close', (code, killedBy) => resolve(killedBy ?? `exit ${code}`));
    child.once('error', (error) => resolve(`error: ${error.message}`));
  });
  const stderrTail = (): string => excerpt(stderr.join('').trim().split('\n').slice(-3).join(' | '), 400);
  try {
    child.stdin.write(`${JSON.stringify(request)}\n`);
    const expected = `${LAUNCHED} ${request.launch.name}`;
    const launched = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line === expected) resolve();
      });
      void closed.then((how) => reject(new RuleViolation(`the child process ended (${how}) before it had launched: ${stderrTail()}`)));
    });
    const outcome = await settleWithin(Promise.race([launched, abortion(signal)]), timeoutMs);
    if (outcome.state === 'rejected') throw outcome.error;
    check(outcome.state === 'resolved', () => `the child process had not launched ${request.launch.name} after ${Math.round(timeoutMs / 1000)} s: ${stderrTail()}`);
    child.kill('SIGKILL');
    const how = await closed;
    check(how === 'SIGKILL', `the child process ended by ${how}, not by SIGKILL`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Rejects once `signal` aborts: a race partner for work that is not told of the signal. */
function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = (): void => reject(signal.reason instanceof Error ? signal.reason : new AbortedError('the conformance suite'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
