import { fakeDriver } from '../driver.js';

/** For the conformance suite's own tests: restart() returns before the instance has booted again. */
export default fakeDriver({
  name: 'fake-stale-restart',
  description: 'the fake platform with one flaw: restart() returns while the old boot still runs',
  flaws: { staleRestart: true },
});
