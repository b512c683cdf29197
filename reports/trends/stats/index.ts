/** The statistics of boot-time trends: pure and synchronous, no I/O. */
export { compareSamples, type CompareOptions, type Comparison, type Verdict } from './compare-samples.js';
export { eDivisive, type ChangePoint, type EDivisiveOptions } from './e-divisive.js';
export {
  kolmogorovSmirnov,
  kolmogorovSurvival,
  type KolmogorovSmirnovMethod,
  type KolmogorovSmirnovOptions,
  type KolmogorovSmirnovResult,
} from './kolmogorov-smirnov.js';
export { mannWhitneyU, type MannWhitneyMethod, type MannWhitneyOptions, type MannWhitneyResult } from './mann-whitney.js';
