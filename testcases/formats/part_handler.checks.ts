import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

const CALLS = [
  '__begin__ frequency=once-per-instance',
  "part ctype=text/x-cloudproof filename=custom-part.txt frequency=once-per-instance payload='payload for the custom handler'",
  '__end__ frequency=once-per-instance',
];

/** The handler's calls, grouped by the cloud-init command that made them. */
function callsByCommand(cell: HarvestedCell): Map<string, string[]> {
  const calls = new Map<string, string[]>();
  for (const line of cell.file('/var/lib/cloudproof/part-handler.log').trimEnd().split('\n')) {
    const at = line.indexOf(': ');
    const command = line.slice(0, at);
    calls.set(command, [...(calls.get(command) ?? []), line.slice(at + 2)]);
  }
  return calls;
}

/** The boot's own invocation: `cloud-init init` (22.4), or `cloud-init --all-stages` (24.x single-process boot). */
const BOOT_COMMANDS = ['init', '--all-stages'];

describeCase('part_handler', (cell) => {
  it('during boot (`cloud-init init`): __begin__, the custom part, then __end__', () => {
    const boot = [...callsByCommand(cell)].filter(([command]) => BOOT_COMMANDS.includes(command));
    assert.equal(boot.length, 1, cell.file('/var/lib/cloudproof/part-handler.log'));
    assert.deepEqual(boot[0]?.[1], CALLS, cell.file('/var/lib/cloudproof/part-handler.log'));
  });

  it('no other command called it, except 22.4\'s `schema --system`, with the same calls', () => {
    for (const [command, calls] of callsByCommand(cell)) {
      if (BOOT_COMMANDS.includes(command)) continue;
      assert.equal(command, 'schema --system', `unexpected caller: ${command}`);
      assert.deepEqual(calls, CALLS);
    }
  });

  it('keeps the handler code in the instance handlers folder', () => {
    const handlers = cell.command('handlers').stdout.trim().split('\n');
    assert.ok(handlers.includes('part-handler-000.py'), `handlers folder: ${handlers.join(' ')}`);
  });

  it('passes the unclaimed part to no handler, and warns about it during boot', () => {
    assert.doesNotMatch(cell.file('/var/lib/cloudproof/part-handler.log'), /nobody reads this|x-nobody-handles-this/);
    assert.equal(cell.log().match(/Unhandled unknown content-type \(text\/x-nobody-handles-this\)/g)?.length, 1);
  });

  it('`cloud-init schema --system` fails only for the user-data format, not for a key', () => {
    // 22.4: no part is cloud-config; 24.x/25.x: the schema command does not read MIME at all
    const schema = cell.command('schema-system');
    const text = schema.stdout + schema.stderr;
    if (schema.exitCode !== 0) assert.match(text, /needs to begin with "#cloud-config"|Unrecognized user-data header in \S+: "Content-Type: multipart\/mixed/, text);
  });
});
