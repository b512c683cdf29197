import { join } from 'node:path';
import { HarnessError } from '../../core/errors.js';
import { VM_SOCKETS, type VmRecord } from './instance-record.js';
import { qmpCommand } from './qmp.js';

/** The guest side of the port forward vm.ts asks qemu for. */
export const GUEST_SSH_PORT = 22;

/**
 * The host port of the TCP forward to `guestPort` in the monitor's `info usernet`
 * (qemu 7.2 prints `TCP[HOST_FORWARD]  FD  127.0.0.1 37125  10.0.2.15  22  0  0`);
 * undefined when it has none. QMP itself has no command that lists forwards.
 */
export function hostForwardPort(infoUsernet: string, guestPort: number): number | undefined {
  for (const line of infoUsernet.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] !== 'TCP[HOST_FORWARD]' || fields.length < 6) continue;
    const [hostPort, forwardedTo] = [Number(fields[3]), Number(fields[5])];
    if (forwardedTo === guestPort && Number.isInteger(hostPort) && hostPort > 0) return hostPort;
  }
  return undefined;
}

/**
 * The loopback port the OS gave qemu for the guest's sshd (the forward asks for port 0,
 * so that no two VMs or runs can race for one), read from the running qemu.
 */
export async function forwardedSshPort(record: VmRecord): Promise<number> {
  const answer = await qmpCommand(join(record.socketsDir, VM_SOCKETS.qmp), 'human-monitor-command', { 'command-line': 'info usernet' });
  const port = typeof answer === 'string' ? hostForwardPort(answer, GUEST_SSH_PORT) : undefined;
  if (port === undefined) {
    throw new HarnessError('PLATFORM_API', `qemu for ${record.name} lists no port forward to the guest's port ${GUEST_SSH_PORT}: ${JSON.stringify(answer).slice(0, 200)}`, {
      hint: 'check that this qemu has user-mode networking (the slirp backend)',
    });
  }
  return port;
}
