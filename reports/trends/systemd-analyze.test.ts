import assert from 'node:assert/strict';
import { parseSystemdTimes, timespanMs } from './systemd-analyze.js';

const section = (name: string, lines: string, rc: number): string => `== systemd-analyze ${name}\n${lines}\n== rc ${rc}\n`;
const BLAME = section('blame', '3.127s cloud-init.service\n 963ms cloud-final.service', 0);

describe('systemd-analyze figures', () => {
  it("reads systemd's timespans, minutes and microseconds included, and nothing else", () => {
    assert.equal(timespanMs('963ms'), 963);
    assert.equal(timespanMs('1min 2.345s'), 62_345);
    assert.equal(timespanMs(' 250us'), 0.25);
    assert.equal(timespanMs('soon'), undefined);
    assert.equal(timespanMs('2.5s later'), undefined);
  });

  it('reads every figure of a VM boot, the total and the target', () => {
    const times = parseSystemdTimes(
      section('time', 'Startup finished in 1.203s (kernel) + 2.5s (initrd) + 1min 3.2s (userspace) = 1min 6.903s\ngraphical.target reached after 1min 2.1s in userspace.', 0) + BLAME,
    );
    assert.deepEqual(times.figures, { kernel: 1203, initrd: 2500, userspace: 63_200, total: 66_903 });
    assert.deepEqual(
      times.missing.map((missing) => missing.name),
      ['firmware', 'loader'],
    );
    assert.deepEqual(times.target, { unit: 'graphical.target', ms: 62_100 });
    assert.deepEqual(times.blame, [
      { unit: 'cloud-init.service', ms: 3127 },
      { unit: 'cloud-final.service', ms: 963 },
    ]);
  });

  it('records every figure as missing, with what systemd said, when `time` fails', () => {
    const times = parseSystemdTimes(
      section('time', 'Bootup is not yet finished (org.freedesktop.systemd1.Manager.FinishTimestampMonotonic=0).\nPlease try again later.', 1) + BLAME,
    );
    assert.deepEqual(times.figures, {});
    assert.equal(times.missing.length, 6);
    for (const missing of times.missing) assert.match(missing.reason, /failed \(exit 1\): Bootup is not yet finished/);
    assert.equal(times.blame.length, 2, 'blame still counts when time failed');
  });

  it('says blame is missing when the collector was cut off before it', () => {
    const times = parseSystemdTimes(section('time', 'Startup finished in 9.053s (userspace) ', 0) + '== systemd-analyze blame\n');
    assert.deepEqual(times.figures, { userspace: 9053 });
    assert.deepEqual(times.blame, []);
    assert.match(times.blameMissing!, /cut off/);
  });
});
