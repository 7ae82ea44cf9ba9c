import { describe, expect, it } from 'vitest';
import { compare, toMarkdown } from '../src/gateways/report.js';
import type { GatewayBenchResult, ScenarioResult } from '../src/gateways/runGatewayBench.js';
import type { ScenarioId } from '../src/gateways/scenarios.js';

function scenario(id: ScenarioId, rps: number, p50: number, errors = 0): ScenarioResult {
  return {
    id,
    title: id,
    client: 'autocannon',
    connections: 50,
    gateway: id.includes('potluck') ? 'potluck' : null,
    summary: { requests: rps * 10, errors, seconds: 10, rps, p50, p95: p50 * 2, p99: p50 * 3 },
    rssMiB: { potluck: 120, recipes: 90, comments: 95, 'load generator': 80 },
    cpuMsPerRequest: { potluck: 0.9, recipes: 0.4, comments: 0.5 },
  };
}

function result(
  overrides: { potluckRps?: number; routerPagesRps?: number; errors?: number; statements?: [number, number] } = {},
): GatewayBenchResult {
  const [small, large] = overrides.statements ?? [4, 4];
  const count = (pageSize: number, total: number) => ({
    pageSize,
    requests: 20,
    perRequest: { recipes: total / 2, comments: total / 2, total },
    statements: { recipes: [], comments: [] },
  });
  return {
    benchmark: 'gateways',
    date: '2026-11-29T00:00:00.000Z',
    machine: { cpu: 'test cpu', cores: 2, memoryGiB: 24, os: 'Linux', node: 'v24' },
    loadAverage: { before: [0.5, 0.5, 0.5], after: [2, 1, 1] },
    settings: {
      connections: 50,
      secondsPerScenario: 30,
      warmupSeconds: 3,
      rounds: 3,
      logLevel: 'info',
      hiveFork: 1,
      seed: 'fixed',
    },
    versions: { '@apollo/gateway': '2.14.4' },
    idleRssMiB: {},
    scenarios: [
      scenario('page:potluck', overrides.potluckRps ?? 1500, 30),
      scenario('page:apollo', 1000, 45),
      scenario('page:hive', 1200, 40, overrides.errors ?? 0),
      scenario('page:hive-router', 1250, 38),
      scenario('floor', 2000, 20),
      scenario('page:potluck:bench-client', 1400, 21.5),
      scenario('pages:potluck', 900, 50),
      scenario('pages:apollo', 600, 70),
      scenario('pages:hive', 500, 90),
      scenario('pages:hive-router', overrides.routerPagesRps ?? 800, 55),
      scenario('floor:1-connection', 300, 3),
      scenario('page:potluck:1-connection', 250, 4),
    ],
    sqlStatements: [count(10, small), count(100, large)],
  };
}

const metOf = (comparison: ReturnType<typeof compare>, prefix: string) =>
  comparison.targets.find((target) => target.target.startsWith(prefix))?.met;

describe('compare', () => {
  it('computes throughput ratios to each peer and overheads over the floor', () => {
    const comparison = compare(result());
    expect(comparison.throughputRatio).toEqual({ apollo: 1.5, hive: 1.25, 'hive-router': 1.2 });
    expect(comparison.distinctPagesRatio).toEqual({ apollo: 1.5, hive: 1.8, 'hive-router': 1.13 });
    expect(comparison.overheadMs).toEqual({
      benchClient: { p50: 1.5, p99: 4.5 },
      autocannon: { p50: 10, p99: 30 },
      oneConnection: { p50: 1, p99: 3 },
    });
    expect(comparison.targets.every((target) => target.met)).toBe(true);
  });

  it('reports misses as misses', () => {
    const comparison = compare(result({ potluckRps: 1100, routerPagesRps: 950, errors: 3, statements: [4, 23] }));
    expect(metOf(comparison, 'scenario 1 throughput ≥ 1.5×')).toBe(false);
    expect(metOf(comparison, 'scenario 1 throughput ≥ Hive')).toBe(false);
    expect(metOf(comparison, 'distinct pages throughput ≥ Hive Gateway with the Rust')).toBe(false);
    expect(metOf(comparison, 'distinct pages throughput ≥ 1.5×')).toBe(true);
    expect(metOf(comparison, 'SQL statements')).toBe(false);
    expect(metOf(comparison, 'no errors')).toBe(false);
    expect(toMarkdown(result({ potluckRps: 1100 }))).toContain('| **no** |');
  });
});

describe('toMarkdown', () => {
  it('has one row per scenario with its figures, and names the machine and the load', () => {
    const markdown = toMarkdown(result());
    expect(markdown).toContain(
      '| page:apollo | autocannon, 50 | 1000 | 45 | 90 | 135 | 0 | — | — | 0.4 + 0.5 | 90 / 95 | 80 |',
    );
    expect(markdown).toContain('test cpu, 2 cores');
    expect(markdown).toContain('before: 0.5 / 0.5 / 0.5');
    expect(markdown).toContain('| page of 100 (20 requests) | 2 | 2 | 4 |');
    expect(markdown).toContain(
      'over distinct pages: 1.5× stock Apollo Gateway, 1.8× Hive Gateway, 1.13× Hive Gateway with the Rust query planner.',
    );
  });
});
