import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { isCapability } from '../../core/capabilities.js';
import { HarnessError, UsageError } from '../../core/errors.js';
import lxd from './index.js';

describe('LXD driver (no daemon needed)', () => {
  const options = (settings: Record<string, string> = {}) => ({ env: { LXD_DIR: '/nonexistent/cloudproof-driver-test' }, settings, stateDir: '/nonexistent/state' });

  it('declares what its platforms offer, every name a capability', async () => {
    const platform = lxd.create(options());
    try {
      assert.deepEqual([...platform.capabilities].sort(), [...lxd.capabilities].sort());
      assert.ok(lxd.capabilities.every((name) => isCapability(name)));
      for (const name of ['reboot', 'publish', 'console-log', 'image-import', 'out-of-band-exec', 'vendor-data', 'meta-data', 'network-config', 'preboot-files'] as const) {
        assert.ok(lxd.capabilities.includes(name), name);
      }
      assert.ok(!lxd.capabilities.includes('ssh'), 'exec goes through the daemon, not SSH');
    } finally {
      await platform.close();
    }
  });

  it('sets no user-data limit and runs as many at once as the host has cores, at native speed', async () => {
    const platform = lxd.create(options());
    try {
      assert.deepEqual(platform.limits, { userDataBytes: undefined, defaultConcurrency: availableParallelism(), maxConcurrency: undefined, bootTimeoutFactor: 1 });
      assert.match(platform.readiness.description, /exec/);
    } finally {
      await platform.close();
    }
  });

  it('rejects a setting it does not know, in create and in setup, naming the ones it has', () => {
    for (const make of [() => lxd.create(options({ sokcet: '/x' })), () => lxd.setupSteps(options({ sokcet: '/x' }))]) {
      assert.throws(make, (error: unknown) => error instanceof UsageError && /sokcet/.test(error.message) && /socket/.test(error.hint ?? ''));
    }
    assert.throws(() => lxd.create(options({ socket: '' })), UsageError);
  });

  it('talks to the socket the `socket` setting names, over LXD_DIR', async () => {
    const platform = lxd.create(options({ socket: '/nonexistent/cloudproof-socket-setting/unix.socket' }));
    try {
      await assert.rejects(platform.connect(), (error: unknown) => error instanceof HarnessError && error.code === 'PLATFORM_UNAVAILABLE' && /cloudproof-socket-setting/.test(error.message));
    } finally {
      await platform.close();
    }
  });

  it('refuses an image file in a format it does not read with NOT_SUPPORTED', async () => {
    const platform = lxd.create(options());
    try {
      await assert.rejects(platform.importImage({ artifact: { kind: 'image-file', format: 'qcow2', path: '/nonexistent/disk.qcow2' }, aliases: [], properties: {} }), {
        code: 'NOT_SUPPORTED',
      });
    } finally {
      await platform.close();
    }
  });
});
