import assert from 'node:assert/strict';
import { cleanHarvest, judgeCells } from './judge-cell.js';

/** One case's checks file can spoil only its own case's verdicts. */
describe("the judge: a checks file's trouble stays in its case", () => {
  const withChecks = (name: string, checks: string) => ({ ...cleanHarvest(name), checks });

  for (const hook of ['before', 'beforeEach', 'after', 'afterEach']) {
    it(`confines a root-level ${hook}() that throws to its own case`, async () => {
      const verdicts = await judgeCells([
        withChecks('hooked', `${hook}(() => { throw new Error('root ${hook} broke'); });\ndescribeCase('hooked', () => { it('holds', () => {}); });`),
        cleanHarvest('bystander'),
      ]);
      assert.equal(verdicts.get('hooked')?.verdict, 'error');
      assert.equal(verdicts.get('hooked')?.errorCode, 'CHECKS_HOOK');
      assert.ok(verdicts.get('hooked')?.failures.some((failure) => failure.message === `root ${hook} broke`), JSON.stringify(verdicts.get('hooked')));
      assert.equal(verdicts.get('bystander')?.verdict, 'passed', JSON.stringify(verdicts.get('bystander')));
    });
  }

  it('runs a root-level hook that works around its own case only', async () => {
    const verdicts = await judgeCells([
      withChecks('counted', "let runs = 0;\nbeforeEach(() => { runs += 1; });\ndescribeCase('counted', () => { it('saw its own tests only', () => { if (runs > 4) throw new Error(`ran ${runs} times`); }); });"),
      cleanHarvest('bystander'),
    ]);
    assert.equal(verdicts.get('counted')?.verdict, 'passed', JSON.stringify(verdicts.get('counted')));
  });

  it('judges the cases after a checks file that threw while loading, inside a describe, as usual', async () => {
    const verdicts = await judgeCells([
      withChecks('aaa_broken', "describeCase('aaa_broken', () => { throw new Error('broke inside'); });"),
      withChecks('bbb_fine', "describeCase('bbb_fine', () => { it('holds', () => {}); });"),
      withChecks('ccc_failing', "describeCase('ccc_failing', () => { it('holds', () => { throw new Error('no'); }); });"),
    ]);
    assert.equal(verdicts.get('aaa_broken')?.errorCode, 'CHECKS_FILE');
    assert.match(verdicts.get('aaa_broken')?.failures[0]?.message ?? '', /broke inside/);
    assert.equal(verdicts.get('bbb_fine')?.verdict, 'passed', JSON.stringify(verdicts.get('bbb_fine')));
    assert.deepEqual(verdicts.get('ccc_failing')?.failures, [{ test: 'holds', message: 'no' }]);
  });

  it('gives a case with no checks file its built-in checks', async () => {
    const verdicts = await judgeCells([cleanHarvest('plain', { schemaExitCode: 1 }), withChecks('own', "describeCase('own', () => { it('holds', () => {}); });")]);
    assert.equal(verdicts.get('plain')?.verdict, 'failed');
    assert.match(verdicts.get('plain')?.failures[0]?.message ?? '', /schema --system failed/);
  });

  it("runs the built-in checks in the cells of a case with checks of its own too", async () => {
    const verdicts = await judgeCells([withChecks('own', "describeCase('own', () => { it('holds', () => {}); });"), cleanHarvest('other')].map((harvest) => ({ ...harvest, schemaExitCode: 1 })));
    assert.equal(verdicts.get('own')?.verdict, 'failed');
    assert.equal(verdicts.get('other')?.verdict, 'failed');
  });

  it('refuses describeCase of another case, naming both and the fix', async () => {
    const verdicts = await judgeCells([withChecks('mine', "describeCase('yours', () => { it('holds', () => {}); });"), cleanHarvest('yours')]);
    const mine = verdicts.get('mine');
    assert.equal(mine?.errorCode, 'CHECKS_FILE');
    assert.match(mine?.failures[0]?.message ?? '', /mine\.checks\.ts: describeCase\('yours'\) does not name this file's case, "mine"/);
    assert.match(mine?.failures[0]?.message ?? '', /call describeCase\('mine'\)/);
    assert.equal(verdicts.get('yours')?.verdict, 'passed');
  });

  it('says "skipped" with the reason for a skipped cell even when its case has checks', async () => {
    const verdicts = await judgeCells([{ ...withChecks('skipped', "describeCase('skipped', () => { it('holds', () => { throw new Error('ran'); }); });"), record: { state: 'skipped', reason: 'no tzdata' } }]);
    assert.deepEqual(verdicts.get('skipped'), { verdict: 'skipped', errorCode: undefined, failures: [] });
  });
});
