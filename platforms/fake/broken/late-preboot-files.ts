import { fakeDriver } from '../driver.js';

/** For the conformance suite's own tests: the launch's files arrive after the boot has begun. */
export default fakeDriver({
  name: 'fake-late-preboot-files',
  description: "the fake platform with one flaw: the launch's files are written once the instance runs",
  flaws: { latePrebootFiles: true },
});
