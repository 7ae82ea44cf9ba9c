import { describe, expect, it } from 'vitest';
import { mergeSamples, summarize } from '../src/gateways/loadSample.js';

describe('load samples', () => {
  it('pools rounds: counts and seconds add up, percentiles come from every latency', () => {
    const merged = mergeSamples([
      { requests: 50, errors: 0, seconds: 5, latenciesMs: Array.from({ length: 50 }, (_, i) => i + 1) },
      { requests: 50, errors: 2, seconds: 5, latenciesMs: Array.from({ length: 50 }, (_, i) => i + 51) },
    ]);
    expect(summarize(merged)).toEqual({ requests: 100, errors: 2, seconds: 10, rps: 10, p50: 50, p95: 95, p99: 99 });
  });

  it('reports no throughput for an empty stretch', () => {
    expect(summarize({ requests: 0, errors: 3, seconds: 0, latenciesMs: [] }).rps).toBe(0);
  });
});
