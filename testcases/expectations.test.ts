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
    const onBookworm = cellExpectations(testCase, { image: 'debian/bookworm', platform: 'lxd', cloudInit: undefined }, [ours, vendor]);
    assert.deepEqual(onBookworm.facts, { default_user: 'admin', shell: '/bin/bash' });
    assert.deepEqual(onBookworm.expect.logWarnings.map((entry) => entry.pattern), ['ours: a known warning', 'vendor: another']);
    assert.equal(onBookworm.skip, undefined);
    const onTrixie = cellExpectations(testCase, { image: 'debian/trixie', platform: 'lxd', cloudInit: undefined }, [ours, vendor]);
    assert.equal(onTrixie.skip, 'the vendor does not ship trixie');
    assert.equal(onTrixie.facts.default_user, 'admin');
  });

  it('key on the platform as well as the image, the platform first', async () => {
    const testCase = await loadCase(join(FIXTURES, 'cases', 'basic', 'marker.yaml'), collectorNames());
    const byPlatform = await loadExpectations(join(FIXTURES, 'expectations', 'platforms.yaml'));
    const onQemu = cellExpectations(testCase, { image: 'debian/bookworm', platform: 'qemu', cloudInit: undefined }, [byPlatform]);
    assert.equal(onQemu.facts.console, 'ttyS0');
    assert.equal(onQemu.facts.default_user, 'debian', "the image's fact, applied after the platform's");
    assert.equal(onQemu.skip, 'no marker on qemu');
    const onLxd = cellExpectations(testCase, { image: 'debian/bookworm', platform: 'lxd', cloudInit: undefined }, [byPlatform]);
    assert.equal(onLxd.facts.console, 'console');
    assert.equal(onLxd.skip, undefined);
  });

  it('rejects an unknown field with the file named', async () => {
    await assert.rejects(loadExpectations(join(FIXTURES, 'expectations', 'broken.yaml')), (error: Error) => {
      assert.match(error.message, /broken\.yaml: .*"skp"/);
      return true;
    });
  });
});
