import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('rsyslog', (cell) => {
  it('writes the named config with the given content (and a newline)', () => {
    assert.equal(cell.file('/etc/rsyslog.d/10-cloudproof.conf'), '*.*  /var/log/cloudproof-all.log\n');
  });

  it('renders the remotes into 20-cloud-config.conf as a UDP forwarding rule', () => {
    assert.equal(cell.file('/etc/rsyslog.d/20-cloud-config.conf'), '# begin remotes\n*.* @127.0.0.1:5514 # loghost\n# end remotes\n');
  });

  it('runs the reload command after both files exist', () => {
    assert.deepEqual(cell.file('/var/lib/cloudproof-rsyslog-reload.txt').trim().split('\n'), ['10-cloudproof.conf', '20-cloud-config.conf']);
  });

  it('(context) rsyslogd is absent from the image, so nothing read the config', () => {
    assert.equal(cell.command('rsyslogd').stdout.trim(), 'not installed', 'rsyslog is installed now: extend this case to check `rsyslogd -N1`');
  });
});
