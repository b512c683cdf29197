import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('jinja_shell_script', (cell) => {
  const instanceData = (): { v1: { instance_id: string; local_hostname: string; distro: string } } =>
    JSON.parse(cell.file('/run/cloud-init/instance-data.json')) as { v1: { instance_id: string; local_hostname: string; distro: string } };

  it('the script ran once, as root, with every jinja expression rendered from instance-data', () => {
    const { v1 } = instanceData();
    assert.equal(
      cell.file('/var/lib/cloudproof/jinja-script.txt'),
      [
        `instance_id=${v1.instance_id}`,
        `hostname=${v1.local_hostname.toUpperCase()}`,
        `family=${v1.distro === 'debian' ? 'debian' : 'other'}`,
        // the heredoc is quoted: the shell leaves ${HOME:-unset} as it is, and jinja did too
        'shell_default=${HOME:-unset}',
        'script=/var/lib/cloud/instance/scripts/part-001 uid=0',
        '',
      ].join('\n'),
    );
  });

  it('stored the rendered script: its own #!/bin/sh first, no jinja left', () => {
    const script = cell.file('/var/lib/cloud/instance/scripts/part-001');
    assert.equal(script.split('\n')[0], '#!/bin/sh', script);
    assert.doesNotMatch(script, /\{\{|\{%|\{#|## template/, script);
    assert.match(script, new RegExp(`^instance_id=${instanceData().v1.instance_id}$`, 'm'), script);
  });

  it('`cloud-init schema --system` passes, or fails only because the user-data is not cloud-config', () => {
    const schema = cell.command('schema-system');
    if (schema.exitCode !== 0) assert.match(schema.stdout + schema.stderr, /needs to begin with "#cloud-config"/, schema.stdout + schema.stderr);
  });
});
