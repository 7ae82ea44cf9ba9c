import { describe, expect, it } from 'vitest';
import type { DrainResult } from '../src/replicas/eventReplicas.js';
import { inTurn } from '../src/replicas/rounds.js';
import {
  roundRatios,
  speedup,
  spread,
  toMarkdown,
  type EventResult,
  type ReplicaBenchResult,
} from '../src/replicas/report.js';

const run = (relay: number | null, consumer: number | null): DrainResult => ({
  relayEventsPerSecond: relay,
  consumerEventsPerSecond: consumer,
  machineCpuBusy: 99,
  cpuMsPer1000Events: { relays: 150, consumers: 900 },
});

const events: EventResult[] = [
  { relays: 1, consumers: 1, runs: [run(4000, 1000), run(5000, 1200), run(6000, 1100)] },
  { relays: 2, consumers: 1, runs: [run(5500, 1000), run(5000, 1000), run(null, null)] },
  { relays: 1, consumers: 2, runs: [run(5000, 1650), run(5000, 1500), run(5000, 1700)] },
];

describe('the replica benchmark report', () => {
  it('gives the median of the runs with their range, leaving out runs that never finished', () => {
    expect(spread([4000, 6000, 5000])).toBe('5,000 (4,000–6,000)');
    expect(spread([5500, null, 5000])).toBe('5,000 (5,000–5,500)');
    expect(spread([null])).toBe('not measured');
  });

  it('divides the median with a second replica by the median with one of each', () => {
    expect(speedup(events, 'relayEventsPerSecond', { relays: 2, consumers: 1 })).toBe(1);
    expect(speedup(events, 'consumerEventsPerSecond', { relays: 1, consumers: 2 })).toBe(1.5);
    expect(speedup(events, 'relayEventsPerSecond', { relays: 2, consumers: 2 })).toBeNull();
  });

  it('pairs the runs of each round, so drift between rounds does not enter the ratio', () => {
    expect(roundRatios([5500, 5000, null], [4000, 5000, 6000])).toBe('×1.38, ×1, —');
  });

  it('prints both parts, and a dash where a shape answered nothing', () => {
    const summary = { requests: 0, errors: 3, seconds: 8, rps: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN };
    const result: ReplicaBenchResult = {
      benchmark: 'replicas',
      date: '2026-12-02T00:00:00.000Z',
      machine: { cores: 2 },
      loadAverage: { start: [0.5, 0.5, 0.5] },
      settings: {},
      events,
      gateways: [
        {
          shape: '1 gateway',
          query: 'page',
          summary: { ...summary, requests: 800, rps: 100, p50: 5, p95: 9, p99: 12 },
          roundsRps: [90, 110],
          machineCpuBusy: [97],
          cpuMsPerRequest: { gateways: 1.5, subgraphs: 0.2, 'load generator': 0.3 },
        },
        {
          shape: '2 gateways',
          query: 'page',
          summary,
          roundsRps: [0, 0],
          machineCpuBusy: [],
          cpuMsPerRequest: { gateways: 0, subgraphs: 0, 'load generator': 0 },
        },
      ],
    };
    const markdown = toMarkdown(result);
    expect(markdown).toContain(
      '| 1 | 2 | 5,000 (5,000–5,000) | 1,650 (1,500–1,700) | 99 (99–99) | 150 (150–150) | 900 (900–900) |',
    );
    expect(markdown).toContain('| 2 gateways | page | 0 | ×0 (—, —) | — | — | 3 | not measured |');
    expect(markdown).toContain('Second relay: ×1 relay events/s (round by round: ×1.38, ×1, —).');
  });
});

describe('the order of shapes in a round', () => {
  it('starts one shape later each round, so no shape is always measured first', () => {
    const shapes = ['one', 'two', 'three'];
    expect([1, 2, 3, 4].map((round) => inTurn(shapes, round)[0])).toEqual(['one', 'two', 'three', 'one']);
    expect(inTurn(shapes, 2)).toEqual(['two', 'three', 'one']);
  });
});
