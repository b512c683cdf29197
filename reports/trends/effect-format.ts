/** An effect as the comparison and the trends table both print it: `+200 ms (+74.6 %)`, the percentage left out when there is none. */
export function formatEffect(ms: number, percent: number | null): string {
  const signedMs = `${ms >= 0 ? '+' : '−'}${Math.abs(ms).toFixed(Math.abs(ms) < 10 ? 1 : 0)} ms`;
  return percent === null ? signedMs : `${signedMs} (${percent >= 0 ? '+' : '−'}${Math.abs(percent).toFixed(1)} %)`;
}
