import { freePort } from '@potluck/testing';
import type { ServiceName } from '../../../scripts/stack.js';
import { runAutocannon, type HttpTarget } from '../gateways/autocannonLoad.js';
import { writeSupergraph, type BenchWorkspace } from '../gateways/benchStack.js';
import { mergeSamples, summarize, type LoadSample, type LoadSummary } from '../gateways/loadSample.js';
import { sampleProcesses } from '../gateways/processSampler.js';
import { body, PAGES_QUERY, pageCursors, pageQuery } from '../gateways/queries.js';
import type { ReplicaBenchConfig } from './config.js';
import { Fleet, type ProcessSpec } from './fleet.js';
import { watchMachineCpu } from './machineCpu.js';
import { inTurn } from './rounds.js';

/** Which gateways take the load; gateway-3 is pointed at the second pair of subgraph replicas. */
export interface GatewayShape {
  id: string;
  gateways: string[];
}

export const GATEWAY_SHAPES: GatewayShape[] = [
  { id: '1 gateway', gateways: ['gateway-1'] },
  { id: '2 gateways', gateways: ['gateway-1', 'gateway-2'] },
  { id: '2 gateways, each with its own pair of subgraphs', gateways: ['gateway-1', 'gateway-3'] },
];

const QUERIES = {
  page: 'scenario 1: one hot page query (the gateway shares identical subgraph calls)',
  pages: 'every page in turn: distinct requests, nothing shared (the subgraphs work for each)',
} as const;
type QueryId = keyof typeof QUERIES;

export interface GatewayMeasurement {
  shape: string;
  query: QueryId;
  summary: LoadSummary;
  /** Requests per second in each round, in order: ratios within a round are the ones drift on a shared machine spoils least. */
  roundsRps: number[];
  /** How busy the machine's cores were while measured (everything on it), %. */
  machineCpuBusy: number[];
  /** CPU time per successful request of each kind of process (all of that kind summed), ms. */
  cpuMsPerRequest: Record<'gateways' | 'subgraphs' | 'load generator', number>;
}

/**
 * Two pairs of subgraphs and three gateways: gateways 1 and 2 both use recipes-1 and
 * comments-1; gateway 3 uses recipes-2 and comments-2 (each gateway pointed at replicas with
 * `RECIPES_URL` and `COMMENTS_URL`, no balancer in between).
 */
async function specsOf(workspace: BenchWorkspace, config: ReplicaBenchConfig) {
  const specs: Record<string, ProcessSpec> = {};
  const graphql = (label: string) => specs[label]!.readyUrl.replace('/health/ready', '/graphql');
  const common = { HOST: '127.0.0.1', LOG_LEVEL: config.BENCH_LOG_LEVEL, ...workspace.auth.env };
  const spec = async (label: string, service: ServiceName, env: Record<string, string>) => {
    const port = await freePort();
    specs[label] = {
      service,
      readyUrl: `http://127.0.0.1:${port}/health/ready`,
      env: { ...common, ...env, PORT: String(port) },
    };
  };
  for (const name of ['recipes', 'comments'] as const) {
    const env = {
      DATABASE_URL: workspace.databases[name],
      AMQP_URL: config.AMQP_URL,
      AMQP_PREFIX: workspace.amqpPrefix,
    };
    for (const index of [1, 2]) await spec(`${name}-${index}`, name, { ...env, MIGRATE_ON_START: 'false' });
  }
  const supergraph = await writeSupergraph(workspace, 'supergraph.graphql', {
    recipes: graphql('recipes-1'),
    comments: graphql('comments-1'),
  });
  const pair = (index: number) => ({
    RECIPES_URL: graphql(`recipes-${index}`),
    COMMENTS_URL: graphql(`comments-${index}`),
  });
  for (const [label, subgraphs] of [
    ['gateway-1', pair(1)],
    ['gateway-2', pair(1)],
    ['gateway-3', pair(2)],
  ] as const) {
    await spec(label, 'gateway', { SUPERGRAPH_PATH: supergraph, ...subgraphs });
  }
  return { specs, graphql };
}

/** Load on every gateway of a shape at once, the connections split between them; samples pooled. */
async function loadShape(targets: HttpTarget[], connections: number, seconds: number): Promise<LoadSample> {
  const share = Math.max(1, Math.round(connections / targets.length));
  const samples = await Promise.all(targets.map((target) => runAutocannon(target, share, seconds)));
  return { ...mergeSamples(samples), seconds: Math.max(...samples.map((sample) => sample.seconds)) };
}

function cpuPerRequest(cpuMs: Record<string, number>, requests: number) {
  const sum = (...prefixes: string[]) =>
    Object.entries(cpuMs)
      .filter(([label]) => prefixes.some((prefix) => label.startsWith(prefix)))
      .reduce((total, [, ms]) => total + ms, 0);
  const per = (ms: number) => (requests > 0 ? Math.round((ms / requests) * 1000) / 1000 : 0);
  return {
    gateways: per(sum('gateway')),
    subgraphs: per(sum('recipes', 'comments')),
    'load generator': per(sum('load generator')),
  };
}

interface Pooled {
  samples: LoadSample[];
  busy: number[];
  cpuMs: Record<string, number>;
}

/** One warm-up and one measured stretch of one shape and query, added to what earlier rounds pooled. */
async function measureOnce(fleet: Fleet, targets: HttpTarget[], config: ReplicaBenchConfig, into: Pooled) {
  await loadShape(targets, config.BENCH_CONNECTIONS, config.BENCH_WARMUP_SECONDS);
  const watch = sampleProcesses({ ...fleet.pids(), 'load generator': process.pid }, { alone: ['load generator'] });
  const cpu = watchMachineCpu();
  const sample = await loadShape(targets, config.BENCH_CONNECTIONS, config.BENCH_SECONDS / config.BENCH_ROUNDS);
  const busy = cpu.stop();
  const usage = watch.stop();
  into.samples.push(sample);
  if (busy !== null) into.busy.push(busy);
  for (const [label, ms] of Object.entries(usage.cpuMs)) into.cpuMs[label] = (into.cpuMs[label] ?? 0) + ms;
  return sample;
}

/**
 * Gateway requests/s behind one and two gateways (and two gateways with a pair of subgraphs
 * each), for the hot page query and for distinct pages, the shapes interleaved over the rounds.
 */
export async function measureGatewayReplicas(
  workspace: BenchWorkspace,
  config: ReplicaBenchConfig,
  log: (line: string) => void,
): Promise<GatewayMeasurement[]> {
  const { specs, graphql } = await specsOf(workspace, config);
  const fleet = new Fleet(workspace, specs);
  const pooled = new Map<string, Pooled>();
  try {
    await fleet.exactly(Object.keys(specs));
    const cursors = await pageCursors(graphql('recipes-1'), () => workspace.auth.credential('recipes'));
    let next = 0;
    const targetsOf: Record<QueryId, (url: string) => HttpTarget> = {
      page: (url) => ({ url, body: body(pageQuery(20)) }),
      pages: (url) => ({ url, nextBody: () => body(PAGES_QUERY, { after: cursors[next++ % cursors.length] }) }),
    };
    for (let round = 1; round <= config.BENCH_ROUNDS; round += 1) {
      for (const query of Object.keys(QUERIES) as QueryId[]) {
        for (const shape of inTurn(GATEWAY_SHAPES, round)) {
          const key = `${shape.id}|${query}`;
          if (!pooled.has(key)) pooled.set(key, { samples: [], busy: [], cpuMs: {} });
          const targets = shape.gateways.map((label) => targetsOf[query](graphql(label)));
          const sample = await measureOnce(fleet, targets, config, pooled.get(key)!);
          log(`gateways round ${round}: ${shape.id}, ${query}: ${Math.round(sample.requests / sample.seconds)} req/s`);
        }
      }
    }
  } finally {
    await fleet.stopAll();
  }
  return [...pooled].map(([key, entry]) => {
    const [shape, query] = key.split('|') as [string, QueryId];
    const summary = summarize(mergeSamples(entry.samples));
    const cpuMsPerRequest = cpuPerRequest(entry.cpuMs, summary.requests);
    const roundsRps = entry.samples.map((sample) => Math.round(sample.requests / sample.seconds));
    return { shape, query, summary, roundsRps, machineCpuBusy: entry.busy, cpuMsPerRequest };
  });
}

export { QUERIES as GATEWAY_QUERIES };
