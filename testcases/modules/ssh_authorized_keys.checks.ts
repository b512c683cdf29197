import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

const DEFAULT_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM+0hTQW58nsrLxnp6483QyFvEalM1bMK+K7wK4vU/Zy cloudproof-test@example.invalid';
const CAROL_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJWrAOef1i6DjGC7WNJXWVCc8UYyZVJE2KGBlMFlFInL carol@cloudproof.invalid';
// `ssh-keygen -l -f` of each public key, taken when the keys were generated.
const DEFAULT_FINGERPRINT = 'SHA256:kh3TxRECockaTqADTAOnhDYyrQpOTipHa8VZfrgiq4o';
const CAROL_FINGERPRINT = 'SHA256:YpwnTKSmQ4S6pIJEUNsuvFm/1m/TwdL7kw/vP3Uu8/8';

function keyLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

function stat(cell: HarvestedCell): Map<string, string> {
  const output = cell.command('stat');
  assert.equal(output.exitCode, 0, `stat failed (a path is missing?):\n${output.stderr}`);
  return new Map(
    output.stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [path, ...rest] = line.split(' ');
        return [path ?? '', rest.join(' ')] as const;
      }),
  );
}

function assertPrivate(cell: HarvestedCell, home: string, user: string): void {
  const found = stat(cell);
  assert.equal(found.get(`${home}/.ssh`), `700 ${user}:${user}`, `${home}/.ssh is ${found.get(`${home}/.ssh`) ?? 'missing'}`);
  assert.equal(
    found.get(`${home}/.ssh/authorized_keys`),
    `600 ${user}:${user}`,
    `${home}/.ssh/authorized_keys is ${found.get(`${home}/.ssh/authorized_keys`) ?? 'missing'}`,
  );
}

describeCase('ssh_authorized_keys', (cell) => {
  const defaultUser = cell.fact('default_user');
  const defaultHome = `/home/${defaultUser}`;
  it("puts the top-level key, and only it, in the default user's authorized_keys", () => {
    const keys = keyLines(cell.file(`${defaultHome}/.ssh/authorized_keys`));
    assert.deepEqual(keys, [DEFAULT_KEY], `${defaultHome}/.ssh/authorized_keys holds:\n${keys.join('\n')}`);
  });

  it("puts carol's own key, and only it, in carol's authorized_keys", () => {
    const keys = keyLines(cell.file('/home/carol/.ssh/authorized_keys'));
    assert.deepEqual(keys, [CAROL_KEY], `/home/carol/.ssh/authorized_keys holds:\n${keys.join('\n')}`);
  });

  it('authorized_keys are mode 600 in a mode 700 ~/.ssh, owned by their user', () => {
    assertPrivate(cell, defaultHome, defaultUser);
    assertPrivate(cell, '/home/carol', 'carol');
  });

  it('ssh-keygen reads each key back with its original fingerprint', () => {
    const forDefault = cell.command('fingerprint-default');
    assert.equal(forDefault.exitCode, 0, `ssh-keygen -l failed on the default user's file: ${forDefault.stderr}`);
    assert.match(forDefault.stdout, new RegExp(`^256 ${DEFAULT_FINGERPRINT.replace(/[+/]/g, '\\$&')} .*\\(ED25519\\)$`, 'm'), forDefault.stdout);
    const forCarol = cell.command('fingerprint-carol');
    assert.equal(forCarol.exitCode, 0, `ssh-keygen -l failed on carol's file: ${forCarol.stderr}`);
    assert.ok(forCarol.stdout.includes(CAROL_FINGERPRINT), `carol's key fingerprint is not ${CAROL_FINGERPRINT}: ${forCarol.stdout}`);
  });

  it('sshd looks for keys where cloud-init put them', () => {
    const sshd = cell.command('sshd-keys-file');
    assert.equal(sshd.exitCode, 0, `sshd -T failed: ${sshd.stderr}`);
    const files = sshd.stdout.trim().split(/\s+/).slice(1);
    assert.ok(files.includes('.ssh/authorized_keys'), `sshd's AuthorizedKeysFile is ${files.join(' ')}`);
  });

  it('disable_root: root gets the key only behind a "log in as <default user>" command', () => {
    const keys = keyLines(cell.file('/root/.ssh/authorized_keys'));
    assert.equal(keys.length, 1, `/root/.ssh/authorized_keys holds:\n${keys.join('\n')}`);
    const [line] = keys as [string];
    assert.ok(line.endsWith(` ${DEFAULT_KEY}`), `root's entry is not the default key: ${line}`);
    assert.ok(
      /^no-port-forwarding,no-agent-forwarding,no-X11-forwarding,command="[^"]*Please login as the user /.test(line) && line.includes(`\\"${defaultUser}\\"`),
      `root's entry is not restricted to a "log in as ${defaultUser}" command: ${line}`,
    );
  });
});
