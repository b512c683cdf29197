import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccelChoice } from './settings.js';

export type Accelerator = 'kvm' | 'tcg';

export interface AcceleratorDecision {
  readonly accelerator: Accelerator;
  /** Why, for the run's output and run.json. */
  readonly reason: string;
}

/**
 * A kernel with no root to mount panics within a second or two of power-on under an
 * accelerator that works; with -no-reboot and panic=1 qemu then exits by itself. Where
 * KVM is broken (a nested KVM that hangs a stock kernel after "Probing EDD", as on our CI
 * machines) nothing of that happens, so the probe waits this long and no longer.
 */
const PROBE_TIMEOUT_MS = 15_000;

/**
 * KVM when asked for, or when `auto` and a probe boots `kernel` with it; TCG otherwise.
 * The probe answers in seconds, never hangs: a guest that has not panicked in time is
 * killed and KVM called unusable.
 */
export async function decideAccelerator(choice: AccelChoice, qemuBinary: string, kernel: string | undefined): Promise<AcceleratorDecision> {
  if (choice === 'tcg') return { accelerator: 'tcg', reason: 'TCG, as set (accel=tcg)' };
  if (choice === 'kvm') return { accelerator: 'kvm', reason: 'KVM, as set (accel=kvm)' };
  const usable = await access('/dev/kvm', constants.R_OK | constants.W_OK).then(() => true, () => false);
  if (!usable) return { accelerator: 'tcg', reason: 'TCG: /dev/kvm is missing or not writable by this user' };
  if (kernel === undefined) return { accelerator: 'tcg', reason: 'TCG: no image kernel to probe KVM with yet' };
  const probe = await probeKvm(qemuBinary, kernel);
  return probe.ok
    ? { accelerator: 'kvm', reason: `KVM: a probe guest booted with it in ${(probe.ms / 1000).toFixed(1)} s` }
    : { accelerator: 'tcg', reason: `TCG: KVM is there but a probe guest did not boot with it (${probe.why})` };
}

async function probeKvm(qemuBinary: string, kernel: string): Promise<{ ok: true; ms: number } | { ok: false; why: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudproof-kvm-probe-'));
  const consolePath = join(dir, 'console.log');
  const started = performance.now();
  try {
    const child = spawn(qemuBinary, [
      '-accel', 'kvm', '-cpu', 'host', '-m', '256', '-nodefaults', '-no-reboot', '-display', 'none',
      '-kernel', kernel, '-append', 'console=ttyS0 panic=1 root=/dev/cloudproof-no-root',
      '-serial', `file:${consolePath}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), PROBE_TIMEOUT_MS);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve(signal === null ? `exit ${code}` : `killed by ${signal}`);
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        resolve(`not started: ${error.message}`);
      });
    });
    if (exited === 'timeout') child.kill('SIGKILL');
    const console = await readFile(consolePath, 'utf8').catch(() => '');
    if (/Kernel panic/.test(console)) return { ok: true, ms: performance.now() - started };
    if (exited === 'timeout') return { ok: false, why: `no kernel panic within ${PROBE_TIMEOUT_MS / 1000} s; last console line: ${lastLine(console) || 'none'}` };
    return { ok: false, why: `qemu ${exited}: ${lastLine(stderr) || lastLine(console) || 'no output'}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim().slice(0, 160) ?? '';
}
