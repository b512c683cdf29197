import type { ChildProcess } from 'node:child_process';

/**
 * qemu processes started by this process. They are its children, not daemons: when this
 * process exits, normally, on an uncaught error or on a signal the harness handles, each
 * one still held is killed, so no VM outlives its run by accident. A VM the run keeps on
 * purpose (--keep-failed) is let go first; SIGKILL of the harness leaves the rest
 * running, which `harness gc` finds by their sidecars.
 */
const children = new Map<number, ChildProcess>();
let hooked = false;

export function killOnExit(child: ChildProcess): void {
  if (child.pid === undefined) return;
  children.set(child.pid, child);
  child.once('exit', () => children.delete(child.pid ?? -1));
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const running of children.values()) running.kill('SIGKILL');
  });
}

/** The VM outlives this process. */
export function letGo(pid: number): void {
  children.delete(pid);
}
