/** Apart from trends.ts so that the CLI can show them in its help without loading the statistics at start-up. */
export const TREND_DEFAULTS = { lastRuns: 60, minEffectMs: 20, minEffectPercent: 5, minSegmentSize: 5 } as const;
