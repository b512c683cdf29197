import { HarnessError } from '../../../core/errors.js';

/**
 * The tests here rank and subtract values: a NaN or an Infinity would not fail loudly, it would
 * silently give a wrong p-value, so a sample with one is refused before anything is computed.
 */
export function requireSample(what: string, values: readonly number[]): void {
  if (values.length === 0) {
    throw new HarnessError('INTERNAL', `${what} needs at least one value in each sample`, {
      hint: 'pass the timings of at least one boot on each side',
    });
  }
  const bad = values.find((value) => !Number.isFinite(value));
  if (bad !== undefined) {
    throw new HarnessError('INTERNAL', `${what} was given ${bad}, which is not a finite number`, {
      hint: 'leave out the boots whose timing is missing instead of passing NaN or Infinity',
    });
  }
}
