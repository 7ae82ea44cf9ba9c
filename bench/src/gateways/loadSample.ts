import { percentile, round } from '../stats.js';

/** What one measured stretch of load produced: every latency, not a histogram, so percentiles are exact. */
export interface LoadSample {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

export interface LoadSummary {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Rounds of one scenario, pooled: counts and time add up, latencies are concatenated. */
export function mergeSamples(samples: LoadSample[]): LoadSample {
  return {
    requests: samples.reduce((sum, sample) => sum + sample.requests, 0),
    errors: samples.reduce((sum, sample) => sum + sample.errors, 0),
    seconds: samples.reduce((sum, sample) => sum + sample.seconds, 0),
    latenciesMs: samples.flatMap((sample) => sample.latenciesMs),
  };
}

export function summarize(sample: LoadSample): LoadSummary {
  return {
    requests: sample.requests,
    errors: sample.errors,
    seconds: round(sample.seconds, 1),
    rps: sample.seconds > 0 ? round(sample.requests / sample.seconds, 0) : 0,
    p50: round(percentile(sample.latenciesMs, 50), 2),
    p95: round(percentile(sample.latenciesMs, 95), 2),
    p99: round(percentile(sample.latenciesMs, 99), 2),
  };
}
