import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

/** Parses "key=value" lines. */
function fields(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const at = line.indexOf('=');
        return [line.slice(0, at), line.slice(at + 1)] as const;
      }),
  );
}

describeCase('shell_script', (cell) => {
  it('ran the script once, as root, as the instance script part-001, in the final stage', () => {
    const marker = fields(cell.file('/var/lib/cloudproof/shell-script.marker'));
    assert.deepEqual(marker, {
      uid: '0',
      script: '/var/lib/cloud/instance/scripts/part-001',
      args: '0',
      stage: 'modules-final',
      ssh_host_key: 'present',
    });
    assert.equal(cell.file('/var/lib/cloudproof/shell-script.runs'), 'ran\n', 'the script did not run exactly once');
  });

  it('stored the script byte for byte as part-001, executable by root only', () => {
    const received = cell.file('/var/lib/cloud/instance/user-data.txt');
    assert.equal(cell.file('/var/lib/cloud/instance/scripts/part-001'), received);
    // LXD's NoCloud seed template drops the user-data's final newline: allow exactly that.
    const given = cell.userData();
    assert.ok(received === given || `${received}\n` === given, `the user-data cloud-init received is not what the case gave:\n${received}`);
    const stat = cell.command('stat');
    assert.equal(stat.exitCode, 0, stat.stderr);
    assert.match(stat.stdout, /^\/var\/lib\/cloud\/instance\/scripts\/part-001 700 root:root$/m, stat.stdout);
    assert.match(stat.stdout, /^\/var\/lib\/cloudproof\/shell-script\.marker 644 root:root$/m, stat.stdout);
  });

  it('`cloud-init schema --system` passes, or fails only because user-data is not cloud-config', () => {
    // 22.4 validates user-data only as cloud-config, even when it is a script. The case
    // sets schema_valid: false for that, and this check keeps any other failure visible.
    const schema = cell.command('schema-system');
    if (schema.exitCode !== 0) {
      assert.match(schema.stdout + schema.stderr, /needs to begin with "#cloud-config"/, `schema --system failed for another reason:\n${schema.stdout}${schema.stderr}`);
    }
  });
});
