/** Small statistics for the benchmark: medians of repetitions and latency percentiles. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Runs `work` `times` times and returns every result (callers take the median). */
export async function repeat<T>(times: number, work: (index: number) => Promise<T> | T): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < times; i++) results.push(await work(i));
  return results;
}

export const formatList = (values: readonly number[], digits = 1): string =>
  values.map((v) => round(v, digits)).join(', ');
