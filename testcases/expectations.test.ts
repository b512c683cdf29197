import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cellExpectations, loadExpectations } from './expectations.js';
import { loadCase } from './loader.js';
import { collectorNames } from '../collectors/index.js';

const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures');

describe('expectations files', () => {
  it("layer image facts, a case's own overrides and a vendor's file, in that order", async () => {
    const testCase = await loadCase(join(FIXTURES, 'cases', 'basic', 'marker.yaml'), collectorNames());
    const ours = await loadExpectations(join(FIXTURES, 'expectations', 'ours.yaml'));
    const vendor = await loadExpectations(join(FIXTURES, 'expectations', 'vendor.yaml'));
    const onBookworm = cellExpectations(testCase, 'debian/bookworm', [ours, vendor]);
    assert.deepEqual(onBookworm.facts, { default_user: 'admin', shell: '/bin/bash' });
    assert.deepEqual(onBookworm.expect.logWarnings, ['ours: a known warning', 'vendor: another']);
    assert.equal(onBookworm.skip, undefined);
    const onTrixie = cellExpectations(testCase, 'debian/trixie', [ours, vendor]);
    assert.equal(onTrixie.skip, 'the vendor does not ship trixie');
    assert.equal(onTrixie.facts.default_user, 'admin');
  });

  it('rejects an unknown field with the file named', async () => {
    await assert.rejects(loadExpectations(join(FIXTURES, 'expectations', 'broken.yaml')), (error: Error) => {
      assert.match(error.message, /broken\.yaml: .*"skp"/);
      return true;
    });
  });
});
