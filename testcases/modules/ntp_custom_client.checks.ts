import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

const RENDERED = [
  '# cloudproof-ntp, rendered by cloud-init',
  'server 127.0.0.1 iburst',
  'server 127.0.0.2 iburst',
  'pool 127.0.0.3 iburst',
];

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

describeCase('ntp_custom_client', (cell) => {
  it('renders the template with the servers and pools to confpath', () => {
    assert.deepEqual(lines(cell.file('/etc/cloudproof-ntp.conf')), RENDERED, cell.file('/etc/cloudproof-ntp.conf'));
  });

  it("reloads the client's service after writing the config (the service saw it)", () => {
    assert.deepEqual(lines(cell.file('/var/lib/cloudproof-ntp-seen.conf')), RENDERED);
    const unit = cell.command('unit').stdout;
    assert.match(unit, /^Result=success$/m, unit);
    assert.match(unit, /^ExecMainStatus=0$/m, unit);
  });

  it('installs nothing: check_exe was found', () => {
    assert.doesNotMatch(cell.log(), /'apt-get'/, 'cloud-init ran apt-get');
    assert.match(cell.log(), /Running command \['systemctl', 'reload-or-restart', 'cloudproof-ntp'\]/);
  });
});
