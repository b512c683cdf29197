import { fakeDriver } from './driver.js';

export default fakeDriver({
  name: 'fake',
  description: 'an in-process platform that boots nothing: deterministic simulated instances, for tests and for trying the harness out',
  flaws: {},
});
