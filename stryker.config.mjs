// The judge under mutation (issue 14): every mutant of the verdict code must be killed
// by the in-process unit tests alone. Figures and surviving mutants: docs/benchmarks.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'mocha',
  // The project is TypeScript run by tsx, as .mocharc.json does for `npm test`.
  testRunnerNodeArgs: ['--import', 'tsx'],
  coverageAnalysis: 'perTest',
  // Two cores, shared: more workers only queue.
  concurrency: 2,
  // Added to a test's own time before a mutant counts as a timeout (an infinite loop).
  timeoutMS: 5_000,
  mutate: [
    'harness/evaluate/*.ts',
    'harness/harvest/extract.ts',
    'results-schema/verdict.ts',
    'testcases/api.ts',
    'testcases/case-schema.ts',
    'testcases/cloud-init-log.ts',
    'testcases/cloud-init-version.ts',
    'testcases/expectations.ts',
    'testcases/loader.ts',
    'testcases/user-data.ts',
    '!**/*.test.ts',
  ],
  mochaOptions: {
    'no-config': true,
    'no-package': true,
    // In-process tests of the judge only: the e2e tests need LXD; tests that spawn the CLI
    // run the verdict code in a child process, where Stryker sees neither coverage nor a
    // kill; the run loop's tests judge through whole runs, which makes every mutant of the
    // loader and the evaluator cost seconds, and test/judge pins the same rules directly.
    spec: [
      'testcases/**/*.test.ts',
      'harness/evaluate/**/*.test.ts',
      'harness/harvest/**/*.test.ts',
      'results-schema/**/*.test.ts',
      'test/judge/**/*.test.ts',
      'test/verdicts.test.ts',
      'test/evaluate-again.test.ts',
      'test/boots.test.ts',
    ],
  },
  tempDirName: '.stryker-tmp',
  // Not needed by the unit tests; an editor's temporary file can vanish while the sandbox is copied.
  ignorePatterns: ['results', '.cache', 'mutation-report', '**/*.tmp'],
  // A re-run tests again only the mutants whose code or covering tests changed; --force tests all.
  incremental: true,
  incrementalFile: 'mutation-report/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'mutation-report/mutation.html' },
  jsonReporter: { fileName: 'mutation-report/mutation.json' },
};
