// What every bench/*.bench.ts shares: the result row bench/run.mjs prints, and percentiles.

/** One row of the bench table (bench/run.mjs prints them and writes them to JSON). */
export interface BenchResult {
  name: string;
  metric: string;
  value: number;
  unit: string;
  target?: string;
  ok?: boolean;
}

/** The p-th percentile (nearest rank) of a sample; NaN for an empty one. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}
