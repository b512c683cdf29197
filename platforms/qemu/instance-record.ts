import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAtomically } from '../../core/host/atomic-write.js';
import type { InstanceSummary, Labels, SshEndpoint, Transport } from '../types.js';
import type { Accelerator } from './accelerator.js';

/**
 * Each VM's sidecar: what `harness gc` and a fresh process need to find it, tell whether
 * its qemu still runs and remove everything it had, even after the run that made it was
 * killed with SIGKILL. It is written before qemu starts, so no VM exists without one.
 */
export interface VmRecord {
  readonly name: string;
  readonly labels: Labels;
  readonly createdAt: string;
  readonly imageFingerprint: string;
  readonly accelerator: Accelerator;
  /** Its folder under the state dir: overlay, seed, console log, qemu's own log. */
  readonly dir: string;
  /** Its sockets, apart: a unix socket's path must stay under 108 bytes, and the state dir may be deep. */
  readonly socketsDir: string;
  /** qemu's pid, once it is started. */
  readonly pid?: number;
  /** What serves exec, push and pull (LaunchSpec.transport); the guest agent when absent. */
  readonly transport?: Transport;
  /** With transport ssh, once qemu runs: the loopback port the OS gave the forward to the guest's sshd, and the login. */
  readonly ssh?: SshEndpoint;
}

const RECORD_FILE = 'instance.json';

export function instancesDir(stateDir: string): string {
  return join(stateDir, 'instances');
}

export function vmPaths(stateDir: string, name: string): { readonly dir: string; readonly socketsDir: string } {
  const dir = join(instancesDir(stateDir), name);
  return { dir, socketsDir: join(tmpdir(), `cloudproof-qemu-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`) };
}

export const VM_FILES = {
  overlay: 'overlay.qcow2',
  seed: 'seed.iso',
  console: 'console.log',
  qemuLog: 'qemu.log',
  /** The run's private key, for a person to log in to a VM kept over SSH (--keep-failed). */
  sshKey: 'ssh-key',
} as const;

export const VM_SOCKETS = { qmp: 'qmp.sock', agent: 'qga.sock' } as const;

export async function writeVmRecord(record: VmRecord): Promise<void> {
  await mkdir(record.dir, { recursive: true });
  await writeAtomically(join(record.dir, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

export async function readVmRecord(stateDir: string, name: string): Promise<VmRecord | undefined> {
  const text = await readFile(join(vmPaths(stateDir, name).dir, RECORD_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : (JSON.parse(text) as VmRecord);
}

export async function readVmRecords(stateDir: string): Promise<readonly VmRecord[]> {
  const names = await readdir(instancesDir(stateDir)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const records = await Promise.all(names.map((name) => readVmRecord(stateDir, name)));
  return records.filter((record) => record !== undefined);
}

/**
 * Whether the record's qemu runs: a pid alone could have been reused since, so the
 * process must also be a qemu started for this VM's folder.
 */
export async function isRunning(record: VmRecord): Promise<boolean> {
  if (record.pid === undefined) return false;
  const cmdline = await readFile(`/proc/${record.pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes(record.dir);
}

export async function summaryOf(record: VmRecord): Promise<InstanceSummary> {
  return { name: record.name, labels: record.labels, status: (await isRunning(record)) ? 'Running' : 'Stopped', createdAt: record.createdAt };
}

export async function removeVmFiles(record: Pick<VmRecord, 'dir' | 'socketsDir'>): Promise<void> {
  await rm(record.socketsDir, { recursive: true, force: true });
  await rm(record.dir, { recursive: true, force: true });
}
