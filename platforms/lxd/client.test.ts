import assert from 'node:assert/strict';
import { HarnessError } from '../../core/errors.js';
import { LxdClient, lxdSocketPath } from './client.js';

describe('LXD client (no daemon needed)', () => {
  const missingSocket = '/nonexistent/cloudproof-client-test/unix.socket';

  it('says PLATFORM_UNAVAILABLE when nothing is at the socket path', async () => {
    const client = new LxdClient({ socketPath: missingSocket });
    try {
      await assert.rejects(client.get('/1.0'), (error: unknown) => {
        assert.ok(error instanceof HarnessError);
        assert.equal(error.code, 'PLATFORM_UNAVAILABLE');
        assert.match(error.message, /cloudproof-client-test/);
        return true;
      });
    } finally {
      await client.close();
    }
  });

  it('says ABORTED, not a transport error, when the caller aborts', async () => {
    const client = new LxdClient({ socketPath: missingSocket });
    try {
      await assert.rejects(client.get('/1.0', AbortSignal.abort()), (error: unknown) => error instanceof HarnessError && error.code === 'ABORTED');
    } finally {
      await client.close();
    }
  });

  it('finds the socket under LXD_DIR first', () => {
    assert.equal(lxdSocketPath({ LXD_DIR: '/srv/lxd' }), '/srv/lxd/unix.socket');
  });
});
