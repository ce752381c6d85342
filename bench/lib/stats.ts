/** Summaries of repeated measurements: rounds are judged on their median (noise here is 15–20 %). */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

/**
 * The q-quantile (0..1) by nearest rank. `Infinity` entries stand for requests that never
 * completed: when the quantile falls on one, the answer is Infinity rather than a flattering
 * figure computed over the survivors only.
 */
export function quantile(sortedAscending: number[], q: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.min(sortedAscending.length - 1, Math.max(0, Math.ceil(q * sortedAscending.length) - 1));
  return sortedAscending[rank]!;
}

export function latencySummary(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  return { p50: quantile(list, 0.5), p99: quantile(list, 0.99), max: list.length ? list[list.length - 1]! : Number.NaN };
}
