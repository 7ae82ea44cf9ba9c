import { percentile, round } from './stats.js';

/** The percentiles every latency distribution keeps; 100 is the slowest sample. */
export const DISTRIBUTION_PERCENTILES = [1, 5, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.9, 100] as const;

export interface PercentilePoint {
  percentile: number;
  ms: number;
}

/** Counts per log-spaced bucket: each bucket holds the samples above the previous bucket's bound, up to its own. */
export interface LogHistogram {
  bucketsPerDecade: number;
  buckets: Array<{ upToMs: number; count: number }>;
}

/** The fixed list of percentiles of a sample (nearest rank, 0.01 ms); empty for no samples. */
export function percentilePoints(values: number[]): PercentilePoint[] {
  if (values.length === 0) return [];
  const sorted = [...values].sort((a, b) => a - b);
  return DISTRIBUTION_PERCENTILES.map((p) => ({ percentile: p, ms: round(percentile(sorted, p), 2) }));
}

const LOWEST_BOUND_MS = 0.1;

/**
 * A histogram with `bucketsPerDecade` buckets per power of ten, from the first bucket with a
 * sample to the last (empty ones between kept, so the shape shows). Samples at or below 0.1 ms
 * count in the 0.1 ms bucket.
 */
export function logHistogram(values: number[], bucketsPerDecade = 4): LogHistogram {
  const indexOf = (ms: number) => Math.ceil(Math.log10(Math.max(ms, LOWEST_BOUND_MS)) * bucketsPerDecade - 1e-9);
  const counts = new Map<number, number>();
  for (const value of values) counts.set(indexOf(value), (counts.get(indexOf(value)) ?? 0) + 1);
  if (counts.size === 0) return { bucketsPerDecade, buckets: [] };
  const [first, last] = [Math.min(...counts.keys()), Math.max(...counts.keys())];
  const buckets = Array.from({ length: last - first + 1 }, (_, offset) => ({
    upToMs: Number((10 ** ((first + offset) / bucketsPerDecade)).toPrecision(3)),
    count: counts.get(first + offset) ?? 0,
  }));
  return { bucketsPerDecade, buckets };
}
