import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

/** Days since 1970-01-01 of a calendar date, as /etc/shadow counts. */
function epochDays(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 86_400_000;
}

describeCase('users_accounts', (cell) => {
  it('eve: home outside /home, dash as shell, cloudproof-staff as primary group', () => {
    const passwd = cell.stdoutOf('passwd').trim().split('\n').find((line) => line.startsWith('eve:')) ?? '';
    const [, , , gid, , home, shell] = passwd.split(':');
    assert.equal(home, '/srv/home/eve', passwd);
    assert.equal(shell, '/bin/dash', passwd);
    const staff = cell.stdoutOf('group-staff').trim();
    assert.equal(staff.split(':')[2], gid, `eve's gid ${gid} is not cloudproof-staff's: ${staff}`);
    const id = cell.stdoutOf('id-eve').trim();
    assert.match(id, /gid=\d+\(cloudproof-staff\) groups=.*\(users\)/, id);
  });

  it("eve's home exists, is hers, and got /etc/skel", () => {
    assert.match(cell.stdoutOf('home').trim(), /^\/srv\/home\/eve 7[0-5]{2} eve:cloudproof-staff$/m);
    assert.ok(cell.stdoutOf('skel').trim().split('\n').includes('.bashrc'), 'no .bashrc copied from /etc/skel');
  });

  it('expiredate and inactive land in /etc/shadow', () => {
    const fields = cell.stdoutOf('shadow-eve').trim().split(':');
    assert.equal(fields[6], '10', `inactive field: ${fields.join(':')}`);
    assert.equal(Number(fields[7]), epochDays('2099-12-31'), `expire field: ${fields.join(':')}`);
  });

  it('frank: no group of his own, the users group as primary, and no home', () => {
    assert.equal(cell.stdoutOf('group-frank').trim(), 'absent');
    assert.match(cell.stdoutOf('id-frank').trim(), /^uid=\d+\(frank\) gid=100\(users\) groups=100\(users\)$/);
    assert.match(cell.stdoutOf('home').trim(), /^\/home\/frank absent$/m);
  });
});
