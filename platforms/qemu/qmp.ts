import { connect } from 'node:net';
import { HarnessError } from '../../core/errors.js';

/**
 * One QMP command on the VM's monitor socket: a connection per command, because qemu's
 * monitor serves one client at a time and a command is rare (state, power). The greeting
 * and the capabilities handshake come first; events that arrive in between are skipped.
 */
export async function qmpCommand(socketPath: string, execute: string, args?: Readonly<Record<string, unknown>>, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffered = '';
    let stage: 'greeting' | 'capabilities' | 'command' = 'greeting';
    const fail = (message: string, cause?: unknown): void => {
      socket.destroy();
      reject(new HarnessError('PLATFORM_API', `QMP ${execute} on ${socketPath}: ${message}`, { hint: 'the VM\'s qemu process may have exited: see its qemu.log', cause }));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    const send = (command: string, commandArgs?: Readonly<Record<string, unknown>>): void => {
      socket.write(`${JSON.stringify(commandArgs === undefined ? { execute: command } : { execute: command, arguments: commandArgs })}\n`);
    };
    socket.setEncoding('utf8');
    socket.on('error', (error) => {
      clearTimeout(timer);
      fail(error.message, error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      // `quit` closes the monitor without a reply once qemu exits; that is its answer.
      if (stage === 'command' && execute === 'quit') resolve(undefined);
      else fail('the monitor closed the connection');
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line === '') continue;
        let message: { QMP?: unknown; event?: unknown; return?: unknown; error?: { desc?: string } };
        try {
          message = JSON.parse(line) as typeof message;
        } catch (error) {
          fail(`not JSON: ${line.slice(0, 120)}`, error);
          return;
        }
        if (message.event !== undefined) continue;
        if (stage === 'greeting' && message.QMP !== undefined) {
          stage = 'capabilities';
          send('qmp_capabilities');
        } else if (message.error !== undefined) {
          clearTimeout(timer);
          fail(message.error.desc ?? JSON.stringify(message.error));
          return;
        } else if (stage === 'capabilities') {
          stage = 'command';
          send(execute, args);
        } else if (stage === 'command') {
          clearTimeout(timer);
          socket.removeAllListeners('close');
          socket.end();
          resolve(message.return);
          return;
        }
      }
    });
  });
}
