import assert from 'node:assert/strict';
import { hostForwardPort } from './usernet.js';

describe('qemu user-mode network forwards', () => {
  // What qemu 7.2's monitor printed for `-netdev user,hostfwd=tcp:127.0.0.1:0-:22` here.
  const printed = 'Hub -1 (net0):\r\n  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ\r\n  TCP[HOST_FORWARD]   8       127.0.0.1 37125       10.0.2.15    22     0     0\r\n';

  it('reads the host port the OS picked for the guest port', () => {
    assert.equal(hostForwardPort(printed, 22), 37125);
  });

  it('finds nothing for another guest port, a connection that is not a forward, or no network', () => {
    assert.equal(hostForwardPort(printed, 80), undefined);
    assert.equal(hostForwardPort('  TCP[ESTABLISHED]  31  10.0.2.15 40000  10.0.2.2  22  0  0\r\n', 22), undefined);
    assert.equal(hostForwardPort('', 22), undefined);
  });
});
