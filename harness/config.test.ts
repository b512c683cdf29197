import assert from 'node:assert/strict';
import { readConfig } from './config.js';

describe('config', () => {
  it('keeps its cache under XDG_CACHE_HOME, else ~/.cache, ignoring a relative XDG_CACHE_HOME', () => {
    assert.equal(readConfig({ XDG_CACHE_HOME: '/x', HOME: '/h' }, false).cacheDir, '/x/cloudproof');
    assert.equal(readConfig({ HOME: '/h' }, false).cacheDir, '/h/.cache/cloudproof');
    assert.equal(readConfig({ XDG_CACHE_HOME: 'relative', HOME: '/h' }, false).cacheDir, '/h/.cache/cloudproof');
    assert.equal(readConfig({ CLOUDPROOF_CACHE: '/c', HOME: '/h' }, false).cacheDir, '/c');
  });

  it('keeps the boot-time history under the cache dir unless CLOUDPROOF_HISTORY names a file', () => {
    assert.equal(readConfig({ CLOUDPROOF_CACHE: '/c' }, false).historyFile, '/c/history/boot-times.sqlite');
    assert.equal(readConfig({ CLOUDPROOF_CACHE: '/c', CLOUDPROOF_HISTORY: '/h.sqlite' }, false).historyFile, '/h.sqlite');
  });

  it('draws live progress only on a terminal outside CI', () => {
    assert.equal(readConfig({}, true).interactive, true);
    assert.equal(readConfig({ CI: 'true' }, true).interactive, false);
    assert.equal(readConfig({}, false).interactive, false);
  });
});
