import type { ChildProcess } from 'node:child_process';

/**
 * qemu processes started by this process. They are its children, not daemons: when this
 * process exits, normally, on an uncaught error or on a signal the harness handles, each
 * is killed, so no VM outlives its run. Only SIGKILL of the harness leaves one running,
 * which `harness gc` finds by its sidecar.
 */
const children = new Set<ChildProcess>();
let hooked = false;

export function killOnExit(child: ChildProcess): void {
  children.add(child);
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const running of children) running.kill('SIGKILL');
  });
}

export function forgetChild(child: ChildProcess): void {
  children.delete(child);
}
