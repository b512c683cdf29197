/**
 * The child process of gc.finds-killed-run: it launches one instance the way a harness run
 * does, says so, and then waits to be killed with SIGKILL, which runs no cleanup at all.
 * Started by killed-run-child.js, which registers tsx first.
 */
import { createInterface } from 'node:readline';
import { isHarnessError } from '../../core/errors.js';
import { loadDriver } from '../registry.js';
import { LAUNCHED, type KilledRunRequest } from './killed-run-protocol.js';

const lines = createInterface({ input: process.stdin });
let started = false;
lines.on('line', (line) => {
  if (started) return;
  started = true;
  launch(JSON.parse(line) as KilledRunRequest).catch((error: unknown) => {
    process.stderr.write(`${isHarnessError(error) ? `${error.code}: ${error.oneLine()}` : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
});
// A parent that died before killing us closes our stdin: leave then, as a killed run would, without cleaning up.
lines.on('close', () => process.exit(0));

async function launch(request: KilledRunRequest): Promise<void> {
  const driver = await loadDriver(request.choice, request.cwd);
  const platform = driver.create(request.options);
  await platform.connect();
  const instance = await platform.launch(request.launch);
  process.stdout.write(`${LAUNCHED} ${instance.name}\n`);
}
