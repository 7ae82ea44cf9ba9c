/** Percentile by nearest rank over a sorted copy; `p` in 0–100. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // p × n first: (99.9 / 100) × 1000 is 999.0000000000001 in floating point, a rank too high.
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p * sorted.length) / 100) - 1));
  return sorted[rank]!;
}

export function round(value: number, places = 1): number {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}

export function machine(): string {
  return `${process.platform} ${process.arch}, ${navigator.hardwareConcurrency} cores, Node ${process.version}`;
}

/** p50 / p95 / p99 of a sample, rounded to 0.1. */
export function summarize(values: number[]): { p50: number; p95: number; p99: number } {
  return { p50: round(percentile(values, 50)), p95: round(percentile(values, 95)), p99: round(percentile(values, 99)) };
}
