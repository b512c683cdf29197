import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

/** The members field of a `getent group` line. */
function members(groupLine: string): string[] {
  const field = groupLine.split(':')[3] ?? '';
  return field === '' ? [] : field.split(',').sort();
}

/** The names in `id`'s groups=... list. */
function groupNames(idLine: string): string[] {
  const list = /groups=(\S+)/.exec(idLine)?.[1] ?? '';
  return [...list.matchAll(/\(([^)]+)\)/g)].map((match) => match[1] as string).sort();
}

describeCase('users_groups', (cell) => {
  it('creates alice with the given uid, gecos, home and shell', () => {
    assert.equal(cell.stdoutOf('passwd-alice').trim(), 'alice:x:2001:2001:Alice Example:/home/alice:/bin/sh');
  });

  it('puts alice in her own group plus the listed groups', () => {
    const id = cell.stdoutOf('id-alice').trim();
    assert.match(id, /^uid=2001\(alice\) gid=2001\(alice\) /, `id alice: ${id}`);
    assert.deepEqual(groupNames(id), ['adm', 'alice', 'cloudproof-ops'], `id alice: ${id}`);
  });

  it("locks alice's password (lock_passwd: true)", () => {
    const shadow = cell.stdoutOf('shadow-alice').trim();
    assert.match(shadow, /^alice:!/, `alice's shadow password field is not locked: ${shadow}`);
  });

  it('creates cloudproof-ops with its listed members, plus alice who asked for it', () => {
    const group = cell.stdoutOf('group-ops').trim();
    assert.deepEqual(members(group), ['alice', 'daemon', 'root'], `getent group cloudproof-ops: ${group}`);
  });

  it('adds the system user svc-bob to cloudproof-empty (groups as a string)', () => {
    const group = cell.stdoutOf('group-empty').trim();
    assert.deepEqual(members(group), ['svc-bob'], `getent group cloudproof-empty: ${group}`);
  });

  it('creates svc-bob as a system user with no home directory', () => {
    const passwd = cell.stdoutOf('passwd-bob').trim();
    const [name, , uid, , , , shell] = passwd.split(':');
    assert.equal(name, 'svc-bob');
    assert.ok(Number(uid) < 1000, `svc-bob has uid ${uid}, not a system uid (< 1000): ${passwd}`);
    assert.equal(shell, '/usr/sbin/nologin', `svc-bob's shell: ${passwd}`);
    assert.equal(cell.stdoutOf('home-bob').trim(), 'absent', 'no_create_home: true, yet /home/svc-bob exists');
  });

  it('keeps the default user, in the sudo group', () => {
    const id = cell.stdoutOf('id-default').trim();
    assert.match(id, new RegExp(`^uid=\\d+\\(${cell.fact('default_user')}\\) `), `id ${cell.fact('default_user')}: ${id}`);
    assert.ok(groupNames(id).includes('sudo'), `id ${cell.fact('default_user')}: ${id}`);
  });

  it('writes the sudo rules of alice and the default user to /etc/sudoers.d', () => {
    const rules = cell.stdoutOf('sudoers').trim();
    const lines = rules.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    assert.deepEqual(lines.sort(), ['alice ALL=(ALL) NOPASSWD: /usr/bin/id', `${cell.fact('default_user')} ALL=(ALL) NOPASSWD:ALL`].sort(), `${cell.fact('default_user_sudoers')}:\n${rules}`);
    const visudo = cell.command('visudo');
    assert.equal(visudo.exitCode, 0, `visudo -c rejects the sudoers files:\n${visudo.stdout}${visudo.stderr}`);
  });

  it('sudo enforces the rule: alice may run /usr/bin/id as root and nothing else', () => {
    const list = cell.command('sudo-list-alice');
    assert.match(list.stdout, /\(ALL\) NOPASSWD: \/usr\/bin\/id\s*$/, `sudo -l -U alice:\n${list.stdout}${list.stderr}`);
    const allowed = cell.command('sudo-allowed');
    assert.equal(allowed.exitCode, 0, `alice could not run sudo /usr/bin/id: ${allowed.stderr.trim()}`);
    assert.equal(allowed.stdout.trim(), '0', `sudo /usr/bin/id -u printed ${allowed.stdout.trim()}, not root's uid`);
    const refused = cell.command('sudo-refused');
    assert.notEqual(refused.exitCode, 0, 'alice ran sudo /usr/bin/true, which her rule does not allow');
    assert.match(refused.stderr, /a password is required/, `unexpected refusal: ${refused.stderr.trim()}`);
  });
});
