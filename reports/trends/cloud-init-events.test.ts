import assert from 'node:assert/strict';
import { splitBoots, stageTimes, type AnalyzeEvent } from './cloud-init-events.js';

const start = (name: string, timestamp: number): AnalyzeEvent => ({ name, event_type: 'start', timestamp });
const finish = (name: string, timestamp: number, result = 'SUCCESS'): AnalyzeEvent => ({ name, event_type: 'finish', timestamp, result });
const stage = (name: string, from: number, to: number): AnalyzeEvent[] => [start(name, from), finish(name, to)];

describe('cloud-init analyze dump events', () => {
  it('starts a new boot where init-local starts again', () => {
    const boots = splitBoots([...stage('init-local', 1, 2), ...stage('init-network', 3, 4), ...stage('init-local', 10, 11), ...stage('init-network', 12, 13)]);
    assert.deepEqual(
      boots.map((events) => events.length),
      [4, 4],
    );
  });

  it('starts a new boot where init starts again on a platform without the local stage', () => {
    const boots = splitBoots([...stage('init-network', 1, 2), ...stage('modules-final', 3, 4), ...stage('init-network', 10, 12)]);
    assert.equal(boots.length, 2);
    assert.deepEqual(stageTimes(boots[1]!).stages, [{ stage: 'init', ms: 2000, modules: [] }]);
  });

  it('says why a stage has no time instead of giving it one', () => {
    const { stages, missingStages } = stageTimes([...stage('init-local', 1, 2), start('init-network', 3), start('init-network/config-ssh', 3.5)]);
    assert.deepEqual(
      stages.map((entry) => entry.stage),
      ['init-local'],
    );
    assert.deepEqual(missingStages, [
      { name: 'init', reason: 'the stage started but has no finish event in this boot' },
      { name: 'modules-config', reason: 'no event of this stage in this boot' },
      { name: 'modules-final', reason: 'no event of this stage in this boot' },
    ]);
  });

  it("keeps a module's result, and leaves out events nested below a module", () => {
    const events = [start('modules-final', 1), ...stage('modules-final/config-scripts_user', 1.1, 1.3), start('modules-final/config-x/sub', 1.4), finish('modules-final/config-x/sub', 1.5), finish('modules-final', 2, 'WARN')];
    assert.deepEqual(stageTimes(events).stages, [{ stage: 'modules-final', ms: 1000, modules: [{ module: 'scripts_user', ms: 200, result: 'SUCCESS' }] }]);
  });
});
