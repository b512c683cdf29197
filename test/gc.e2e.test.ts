import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { generateAccessKey } from '../core/access-key.js';
import { LABEL_OWNER, LABEL_RUN, newRunId } from '../core/run-id.js';
import { runLabels } from '../core/run-owner.js';
import type { Labels } from '../platforms/types.js';
import { lxdForTests } from './lxd-for-tests.js';

const HARNESS = join(import.meta.dirname, '..', 'harness', 'bin.js');
/** Above the largest pid Linux hands out: a process that cannot be running. */
const DEAD_PID = 4194305;

/** The owner labels as LXD keeps them (user.* config keys): gc tells a live run from a dead one there too. */
describe('harness gc --platform lxd: gone runs only @e2e', function () {
  this.timeout(10 * 60_000);
  const platform = lxdForTests();
  const liveId = newRunId(new Date());
  const deadId = newRunId(new Date());

  after(async () => {
    for (const runId of [liveId, deadId]) for (const instance of await platform.listByLabel({ [LABEL_RUN]: runId })) await platform.destroy(instance.name);
    await platform.close();
  });

  it("removes a dead owner's instance and keeps a live one's", async () => {
    const image = await platform.resolveImage('cloudproof/debian/bookworm');
    const launch = (name: string, labels: Labels) => platform.launch({ name, imageFingerprint: image.fingerprint, userData: '#cloud-config\n{}\n', accessKey: generateAccessKey('cloudproof-e2e'), labels });
    await launch(`cp-${liveId}-1-gc-live`, runLabels({ runId: liveId, runDir: '/nonexistent/live' }));
    await launch(`cp-${deadId}-1-gc-dead`, { ...runLabels({ runId: deadId, runDir: '/nonexistent/dead' }), [LABEL_OWNER]: `${hostname()}:${DEAD_PID}:1` });

    const result = await execa('node', [HARNESS, 'gc', '--platform', 'lxd'], { reject: false, env: { CI: 'true' }, all: true });
    assert.equal(result.exitCode, 0, result.all);
    assert.match(result.all ?? '', new RegExp(`removed cp-${deadId}-1-gc-dead .*is gone`));
    assert.match(result.all ?? '', new RegExp(`run ${liveId} \\(1\\): its owner, process ${process.pid} on this host, is still running`));
    assert.deepEqual(await platform.listByLabel({ [LABEL_RUN]: deadId }), []);
    const live = await platform.listByLabel({ [LABEL_RUN]: liveId });
    assert.deepEqual(live.map((instance) => instance.labels[LABEL_OWNER]), [runLabels({ runId: liveId })[LABEL_OWNER]]);
  });
});
