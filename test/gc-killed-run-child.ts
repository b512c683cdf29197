/**
 * The child of gc.test.ts's killed run: it launches one instance on the fake platform's
 * state folder the way a run does, writes a run.json saying `running`, says so, and waits
 * for SIGKILL, which runs no cleanup at all. Arguments: state folder, run folder, run id.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateAccessKey } from '../core/access-key.js';
import { runLabels } from '../core/run-owner.js';
import { FakePlatform } from '../platforms/fake/platform.js';

const LAUNCHED = 'gc-killed-run-child: launched';

const [stateDir = '', runDir = '', runId = ''] = process.argv.slice(2);
const platform = new FakePlatform({ stateDir });
await platform.connect();
await platform.launch({ name: `cp-${runId}-1-killed`, imageFingerprint: 'f00d', userData: '#cloud-config\n', accessKey: generateAccessKey('gc-test'), labels: runLabels({ runId, runDir }) });
await mkdir(runDir, { recursive: true });
await writeFile(join(runDir, 'run.json'), `${JSON.stringify({ schema: 1, runId, state: 'running', startedAt: new Date().toISOString(), finishedAt: undefined, cells: [] }, null, 2)}\n`);
process.stdout.write(`${LAUNCHED}\n`);
// Stays alive until killed; a parent that died without killing it closes stdin, and then it leaves too.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
