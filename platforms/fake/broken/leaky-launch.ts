import { fakeDriver } from '../driver.js';

/** For the conformance suite's own tests: a launch that fails leaves its instance behind. */
export default fakeDriver({
  name: 'fake-leaky-launch',
  description: 'the fake platform with one flaw: a failed launch leaves its instance behind',
  flaws: { leakyLaunch: true },
});
