/**
 * The conformance suite, as the package exports it: a driver's own package runs it in its
 * tests (`runConformance({ driver, ... })`) to prove the driver against the standard.
 */
export { runConformance, type ConformanceInput } from './suite.js';
export { expectedOutcomes, isRuleId, outcomesOf, RULES, rulesOf, type RuleId, type RuleInfo } from './rules.js';
export {
  conformanceDir,
  newestPerDriver,
  readConformanceHistory,
  RESULT_FORMAT,
  supportCell,
  SUPPORT_COLUMNS,
  writeConformanceResult,
  type ConformanceHistory,
  type ConformanceResult,
  type RuleOutcome,
  type RuleResult,
  type SupportCell,
  type SupportColumn,
  type SupportState,
} from './results.js';
export { conformanceImageAlias, ROLE_CONFORMANCE } from './session.js';
