import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('keyboard', (cell) => {
  it('writes the layout, variant and model to /etc/default/keyboard', () => {
    const keyboard = cell.file('/etc/default/keyboard');
    assert.match(keyboard, /^XKBLAYOUT="?de"?$/m, keyboard);
    assert.match(keyboard, /^XKBVARIANT="?nodeadkeys"?$/m, keyboard);
    assert.match(keyboard, /^XKBMODEL="?pc105"?$/m, keyboard);
  });

  it('systemd-localed reports the new layout', () => {
    const status = cell.command('localectl').stdout;
    assert.match(status, /X11 Layout: de$/m, status);
    assert.match(status, /X11 Variant: nodeadkeys$/m, status);
  });

  it('fails only because console-setup.service is missing', () => {
    assert.equal(cell.command('console-setup').stdout.trim(), 'absent', 'console-setup is in the image now: this case should expect status done');
    const errors = (cell.status().errors ?? []).join('\n');
    assert.match(errors, /^\('keyboard', ProcessExecutionError\(.*systemctl', 'restart', 'console-setup'.*Unit console-setup\.service not found/m, errors);
    assert.equal(cell.status().errors?.length, 1, errors);
  });
});
