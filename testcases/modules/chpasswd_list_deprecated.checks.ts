import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

function shadow(cell: HarvestedCell): Map<string, string[]> {
  const output = cell.command('shadow');
  assert.equal(output.exitCode, 0, `getent shadow failed (a user is missing?): ${output.stderr}`);
  return new Map(output.stdout.trim().split('\n').map((line) => [line.split(':')[0] ?? '', line.split(':')] as const));
}

describeCase('chpasswd_list_deprecated', (cell) => {
  it('both passwords authenticate', () => {
    assert.deepEqual(cell.command('verify').stdout.trim().split('\n'), ['match listtext', 'match listhash']);
  });

  it('recognises the $6$ entry as a hash and stores it verbatim', () => {
    assert.equal(
      shadow(cell).get('listhash')?.[1],
      '$6$cloudproofsalt2$cG9imQtZ/8FivOGyoD7wi8l2.vwC.wGNTkEW94QqIQsKa6s/9Kj9UZp.bj/71.udi.BF5ANaMEg9x4BT7VZUL/',
    );
  });

  it('expires both users (expire defaults to true, hashed users included)', () => {
    for (const user of ['listtext', 'listhash']) {
      assert.equal(shadow(cell).get(user)?.[2], '0', `${user}'s last-change field: ${shadow(cell).get(user)?.join(':')}`);
    }
  });

  it('schema --system passes but names the deprecated key', () => {
    const schema = cell.command('schema-system');
    assert.equal(schema.exitCode, 0);
    // 22.4: "chpasswd.list: DEPRECATED..."; 24.x+: "chpasswd.list:  Deprecated in version 22.2..."
    assert.match(schema.stdout + schema.stderr, /Cloud config schema deprecations: chpasswd\.list: +(DEPRECATED|Deprecated in version 22\.2)/);
  });

  it('logs each deprecation warning once', () => {
    const log = cell.log();
    // each message as 22.4 words it, or as 24.x+ does
    assert.equal(log.match(/Deprecated cloud-config provided:(\n| )chpasswd\.list: +(DEPRECATED|Deprecated in version 22\.2)/g)?.length, 1, 'chpasswd.list deprecation');
    assert.equal(log.match(/DEPRECATION: key 'lists' is now deprecated|Config key 'lists' is deprecated in 22\.3/g)?.length, 1, 'lists deprecation');
    assert.equal(log.match(/DEPRECATION: The chpasswd multiline string format is deprecated|The chpasswd multiline string is deprecated in 22\.2/g)?.length, 1, 'multiline deprecation');
  });
});
