import { describe, expect, it } from 'vitest';
import { logHistogram, percentilePoints } from '../src/distributions.js';
import { slowestPercent } from '../src/eventStages.js';

const oneToThousand = Array.from({ length: 1000 }, (_, i) => 1000 - i);

describe('latency distributions kept in results', () => {
  it('keeps the fixed percentiles, the maximum as 100', () => {
    const points = new Map(percentilePoints(oneToThousand).map((point) => [point.percentile, point.ms]));
    expect([...points.keys()]).toEqual([1, 5, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.9, 100]);
    expect(points.get(50)).toBe(500);
    expect(points.get(99.9)).toBe(999);
    expect(points.get(100)).toBe(1000);
    expect(percentilePoints([])).toEqual([]);
  });

  it('counts samples in log-spaced buckets, empty ones between kept', () => {
    const histogram = logHistogram([0, 1, 1, 10.5, 100], 4);
    expect(histogram.buckets[0]).toEqual({ upToMs: 0.1, count: 1 });
    expect(histogram.buckets.find((bucket) => bucket.upToMs === 1)?.count).toBe(2);
    expect(histogram.buckets.find((bucket) => bucket.upToMs === 17.8)?.count).toBe(1);
    expect(histogram.buckets.at(-1)).toEqual({ upToMs: 100, count: 1 });
    expect(histogram.buckets).toHaveLength(13);
    expect(histogram.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(5);
    expect(logHistogram([]).buckets).toEqual([]);
  });

  it('follows the slowest 1% of events through both stages', () => {
    const toRelay = Array.from({ length: 100 }, (_, i) => (i === 7 ? 900 : 5));
    const toConsumer = Array.from({ length: 100 }, () => 10);
    expect(slowestPercent(toRelay, toConsumer)).toEqual({
      events: 1,
      fromMs: 910,
      mutationToRelayMs: 900,
      relayToConsumerMs: 10,
    });
    expect(slowestPercent([], [])).toBeNull();
  });
});
