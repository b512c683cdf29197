import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

/** Parses the `stat` command's "<path> <mode> <user>:<group>" lines. */
function stats(cell: HarvestedCell): Map<string, string> {
  const stat = cell.command('stat');
  assert.equal(stat.exitCode, 0, `stat failed (a path is missing?):\n${stat.stderr}`);
  return new Map(
    stat.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [path, ...rest] = line.split(' ');
        return [path ?? '', rest.join(' ')] as const;
      }),
  );
}

function assertStat(cell: HarvestedCell, path: string, expected: string): void {
  assert.equal(stats(cell).get(path), expected, `${path}: mode and owner`);
}

describeCase('write_files_permissions', (cell) => {
  it("creates the missing parent folders 0755, root's before 23.1, the file owner's since", () => {
    // 23.1 gives new parent folders the file's owner (LP: #1990513, canonical/cloud-init PR #1980)
    const owner = cell.cloudInitIs('>=23.1') ? 'nobody:nogroup' : 'root:root';
    for (const dir of ['/srv/cloudproof', '/srv/cloudproof/a', '/srv/cloudproof/a/b', '/srv/cloudproof/a/b/c']) {
      assertStat(cell, dir, `755 ${owner}`);
    }
  });

  it('gives the file itself its owner and mode 0440', () => {
    assert.equal(cell.file('/srv/cloudproof/a/b/c/deep.txt'), 'three folders deep\n');
    assertStat(cell, '/srv/cloudproof/a/b/c/deep.txt', '440 nobody:nogroup');
  });

  it('the owner can read the 0440 file and cannot write it', () => {
    const read = cell.command('nobody-read');
    assert.equal(read.exitCode, 0, `nobody cannot read its own file: ${read.stderr}`);
    assert.equal(read.stdout, 'three folders deep\n');
    const write = cell.command('nobody-write');
    assert.notEqual(write.exitCode, 0, 'nobody could append to a 0440 file');
    assert.match(write.stderr, /Permission denied/, write.stderr);
  });

  it("reads '600' (no leading zero) as octal 0600", () => {
    assertStat(cell, '/etc/cloudproof/no-leading-zero.txt', '600 root:root');
    assert.equal(cell.file('/etc/cloudproof/no-leading-zero.txt'), "mode given as '600'\n");
  });

  it("replaces the image's /etc/issue.net whole and applies the new mode", () => {
    const text = cell.file('/etc/issue.net');
    assert.equal(text, 'cloudproof replaced this file\n', `/etc/issue.net kept old text:\n${text}`);
    assertStat(cell, '/etc/issue.net', '600 root:root');
  });
});
