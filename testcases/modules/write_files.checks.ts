import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

/** Parses the `stat` command's "<path> <mode> <user>:<group>" lines. */
function modes(cell: HarvestedCell): Map<string, { mode: string; owner: string }> {
  const stat = cell.command('stat');
  assert.equal(stat.exitCode, 0, `stat failed (a file is missing?):\n${stat.stderr}`);
  const result = new Map<string, { mode: string; owner: string }>();
  for (const line of stat.stdout.trim().split('\n')) {
    const [path, mode, owner] = line.split(' ');
    if (path && mode && owner) result.set(path, { mode, owner });
  }
  return result;
}

function assertMode(cell: HarvestedCell, path: string, mode: string, owner: string): void {
  const found = modes(cell).get(path);
  assert.ok(found, `stat printed nothing for ${path}`);
  assert.equal(found.mode, mode, `${path} has mode ${found.mode}, expected ${mode}`);
  assert.equal(found.owner, owner, `${path} is owned by ${found.owner}, expected ${owner}`);
}

describeCase('write_files', (cell) => {
  it('writes plain content with mode 0640 and owner root:adm', () => {
    assert.equal(cell.file('/etc/cloudproof/plain.conf'), "# written by cloud-init's write_files\nkey = value\n");
    assertMode(cell, '/etc/cloudproof/plain.conf', '640', 'root:adm');
  });

  it('defaults to mode 0644 and root:root', () => {
    assert.equal(cell.file('/etc/cloudproof/default-mode.txt'), 'no permissions or owner given\n');
    assertMode(cell, '/etc/cloudproof/default-mode.txt', '644', 'root:root');
  });

  it('decodes b64 content into an executable that runs', () => {
    assert.equal(cell.file('/usr/local/bin/cloudproof-hello'), '#!/bin/sh\necho "decoded from base64"\n');
    assertMode(cell, '/usr/local/bin/cloudproof-hello', '755', 'root:root');
    const run = cell.command('run-decoded');
    assert.equal(run.exitCode, 0, `running the decoded script failed (exit ${run.exitCode}): ${run.stderr}`);
    assert.equal(run.stdout, 'decoded from base64\n');
  });

  it('appends to a file the image already has, keeping its content', () => {
    const motd = cell.file('/etc/motd');
    assert.match(motd, /Debian GNU\/Linux comes with ABSOLUTELY NO WARRANTY/, `the image's /etc/motd text is gone:\n${motd}`);
    assert.ok(motd.endsWith('\ncloudproof: this line was appended by write_files\n'), `/etc/motd does not end with the appended line:\n${motd}`);
    assert.equal(motd.split('cloudproof: this line').length - 1, 1, `the line was appended more than once:\n${motd}`);
    assertMode(cell, '/etc/motd', '644', 'root:root');
  });

  it('appends to a file written earlier in the same list', () => {
    assert.equal(cell.file('/etc/cloudproof/appended.txt'), 'first\nsecond\n');
  });

  it('defer: true writes a file owned by a user created later in the boot', () => {
    assert.equal(cell.file('/home/wfuser/deferred.txt'), 'written after wfuser existed\n');
    assertMode(cell, '/home/wfuser/deferred.txt', '600', 'wfuser:wfuser');
  });
});
