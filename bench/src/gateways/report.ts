import type { GatewayBenchResult, ScenarioResult } from './runGatewayBench.js';
import { GATEWAY_TITLES, type GatewayName } from './gatewayNames.js';
import type { ScenarioId } from './scenarios.js';

type Peer = Exclude<GatewayName, 'potluck'>;
const PEERS: Peer[] = ['apollo', 'hive', 'hive-router'];

export interface Target {
  target: string;
  measured: string;
  met: boolean;
}

export interface Comparison {
  /** p50 and p99 of a path through Potluck's gateway minus the floor's, ms. */
  overheadMs: Record<'benchClient' | 'autocannon' | 'oneConnection', { p50: number; p99: number } | null>;
  /** Potluck's scenario-1 throughput divided by each peer's. */
  throughputRatio: Record<Peer, number | null>;
  /** The same over distinct pages, where concurrent requests cannot share subgraph calls. */
  distinctPagesRatio: Record<Peer, number | null>;
  targets: Target[];
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function summaryOf(result: GatewayBenchResult, id: ScenarioId) {
  return result.scenarios.find((scenario) => scenario.id === id)?.summary;
}

function overhead(result: GatewayBenchResult, gateway: ScenarioId, floor: ScenarioId) {
  const [through, direct] = [summaryOf(result, gateway), summaryOf(result, floor)];
  if (!through || !direct) return null;
  return { p50: round2(through.p50 - direct.p50), p99: round2(through.p99 - direct.p99) };
}

function ratio(result: GatewayBenchResult, peer: ScenarioId, ours: ScenarioId = 'page:potluck'): number | null {
  const [mine, theirs] = [summaryOf(result, ours), summaryOf(result, peer)];
  return mine && theirs && theirs.rps > 0 ? round2(mine.rps / theirs.rps) : null;
}

/** The issue's targets, judged from one run's figures: a miss is reported as a miss. */
export function compare(result: GatewayBenchResult): Comparison {
  const overheadMs = {
    benchClient: overhead(result, 'page:potluck:bench-client', 'floor'),
    autocannon: overhead(result, 'page:potluck', 'floor'),
    oneConnection: overhead(result, 'page:potluck:1-connection', 'floor:1-connection'),
  };
  const ratios = (scenario: 'page' | 'pages') =>
    Object.fromEntries(
      PEERS.map((peer) => [peer, ratio(result, `${scenario}:${peer}`, `${scenario}:potluck`)]),
    ) as Record<Peer, number | null>;
  const [throughputRatio, distinctPagesRatio] = [ratios('page'), ratios('pages')];
  const [small, large] = [result.sqlStatements[0], result.sqlStatements.at(-1)];
  const errors = result.scenarios.reduce((sum, scenario) => sum + scenario.summary.errors, 0);
  const shown = (value: number | null | undefined, unit: string) =>
    value == null ? 'not measured' : `${value}${unit}`;
  const targets: Target[] = [
    {
      target: 'scenario 1 throughput ≥ 1.5× stock Apollo Gateway',
      measured: shown(throughputRatio.apollo, '×'),
      met: (throughputRatio.apollo ?? 0) >= 1.5,
    },
    {
      target: 'scenario 1 throughput ≥ Hive Gateway',
      measured: shown(throughputRatio.hive, '×'),
      met: (throughputRatio.hive ?? 0) >= 1,
    },
    {
      target: 'distinct pages throughput ≥ 1.5× stock Apollo Gateway',
      measured: shown(distinctPagesRatio.apollo, '×'),
      met: (distinctPagesRatio.apollo ?? 0) >= 1.5,
    },
    {
      target: 'distinct pages throughput ≥ Hive Gateway with the Rust query planner',
      measured: shown(distinctPagesRatio['hive-router'], '×'),
      met: (distinctPagesRatio['hive-router'] ?? 0) >= 1,
    },
    {
      target: `overhead over the floor ≤ 2 ms at p50 (${result.settings.connections} connections, same client)`,
      measured: shown(overheadMs.benchClient?.p50, ' ms'),
      met: overheadMs.benchClient !== null && overheadMs.benchClient.p50 <= 2,
    },
    {
      target: 'the same at 1 connection (no queueing, nothing to share)',
      measured: shown(overheadMs.oneConnection?.p50, ' ms'),
      met: overheadMs.oneConnection !== null && overheadMs.oneConnection.p50 <= 2,
    },
    {
      target: 'SQL statements per request do not grow with page size',
      measured:
        small && large
          ? `${small.perRequest.total} at ${small.pageSize}, ${large.perRequest.total} at ${large.pageSize}`
          : 'not measured',
      met: Boolean(small && large && large.perRequest.total <= small.perRequest.total),
    },
    { target: 'no errors in any scenario', measured: `${errors}`, met: errors === 0 },
  ];
  return { overheadMs, throughputRatio, distinctPagesRatio, targets };
}

function gatewayCells(scenario: ScenarioResult): string {
  const name = scenario.gateway;
  const rss = name ? scenario.rssMiB[name] : undefined;
  const cpu = name ? scenario.cpuMsPerRequest[name] : undefined;
  return `${cpu ?? '—'} | ${rss ?? '—'}`;
}

function scenarioRow(scenario: ScenarioResult): string {
  const { summary: s, rssMiB: rss, cpuMsPerRequest: cpu } = scenario;
  const subgraphs = `${cpu.recipes ?? '—'} + ${cpu.comments ?? '—'}`;
  return `| ${scenario.title} | ${scenario.client}, ${scenario.connections} | ${s.rps} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.errors} | ${gatewayCells(scenario)} | ${subgraphs} | ${rss.recipes ?? '—'} / ${rss.comments ?? '—'} | ${rss['load generator'] ?? '—'} |`;
}

function peerRatios(ratios: Record<Peer, number | null>): string {
  return PEERS.map((peer) => `${ratios[peer] ?? '?'}× ${GATEWAY_TITLES[peer]}`).join(', ');
}

/** The run as Markdown: what was measured, on what, and how it compares with the targets. */
export function toMarkdown(result: GatewayBenchResult, comparison = compare(result)): string {
  const { machine: m, settings: s, loadAverage } = result;
  const o = comparison.overheadMs;
  const pair = (value: { p50: number; p99: number } | null) =>
    value ? `${value.p50} ms at p50, ${value.p99} ms at p99` : 'not measured';
  return [
    `## Gateway benchmark, ${result.date}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}. The load generator, every gateway, both subgraphs, Postgres and RabbitMQ share those cores; nothing is pinned.`,
    `Load average (1/5/15 min) before: ${loadAverage.before.join(' / ')}; after: ${loadAverage.after.join(' / ')} (the benchmark's own processes count in that one).`,
    `Settings: ${s.connections} connections, ${s.secondsPerScenario} s measured per scenario over ${s.rounds} interleaved rounds (writes: one stretch), ${s.warmupSeconds} s warm-up before each stretch; services log at ${s.logLevel}; seed ${s.seed}.`,
    s.tracing
      ? `Tracing on in Potluck's services: ${s.tracing.exporter}, ${s.tracing.exports} exports, ${Math.round(s.tracing.bytes / 1024)} KiB.`
      : 'Tracing off (no OTLP endpoint), as `npm start` runs.',
    `Versions: ${Object.entries(result.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
    '| scenario | client, connections | req/s | p50 ms | p95 ms | p99 ms | errors | gateway CPU ms/req | gateway RSS MiB | recipes + comments CPU ms/req | recipes / comments RSS MiB | load generator RSS MiB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...result.scenarios.map(scenarioRow),
    '',
    `Overhead of Potluck's gateway over the floor: ${pair(o.benchClient)} (same client, ${s.connections} connections); ${pair(o.autocannon)} (autocannon against the floor's client); ${pair(o.oneConnection)} (1 connection).`,
    ...((o.benchClient?.p50 ?? 0) < 0
      ? [
          "A negative overhead means the gateway did less than the floor: concurrent identical requests shared their subgraph calls (see the subgraphs' CPU per request), which the floor, one request at a time, cannot.",
        ]
      : []),
    `Throughput of Potluck's gateway on scenario 1: ${peerRatios(comparison.throughputRatio)}; over distinct pages: ${peerRatios(comparison.distinctPagesRatio)}.`,
    '',
    '| target | measured | met |',
    '| --- | --- | --- |',
    ...comparison.targets.map((t) => `| ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    '| SQL statements per request (scenario 1) | recipes | comments | total |',
    '| --- | ---: | ---: | ---: |',
    ...result.sqlStatements.map(
      (c) =>
        `| page of ${c.pageSize} (${c.requests} requests) | ${c.perRequest.recipes} | ${c.perRequest.comments} | ${c.perRequest.total} |`,
    ),
    '',
  ].join('\n');
}
