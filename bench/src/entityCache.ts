import { z } from 'zod';
import { envVar, parseEnv } from '@potluck/service';
import { freePort, parsePrometheusText, sampleValue } from '@potluck/testing';
import { waitForReady } from '../../scripts/stack.js';
import { runAutocannon } from './gateways/autocannonLoad.js';
import {
  apolloPeer,
  createWorkspace,
  potluckGateway,
  subgraphProcess,
  waitForGraphQL,
  writeSupergraph,
} from './gateways/benchStack.js';
import { summarize, type LoadSummary } from './gateways/loadSample.js';
import { machineFacts } from './gateways/machine.js';
import { sampleProcesses } from './gateways/processSampler.js';
import { stopProcess, tailOf, type BenchProcess } from './gateways/processes.js';
import { body, pageCursors, PAGES_QUERY } from './gateways/queries.js';
import { seedDatabases } from './gateways/seed.js';
import { measureStaleness, type StalenessResult } from './entityCacheStaleness.js';
import { writeResult } from './results.js';
import { loadAverage, watchMachineCpu } from './replicas/machineCpu.js';
import { toMarkdown } from './entityCacheReport.js';

/**
 * `npm run bench:cache`: distinct pages (every page of 20 recipes with five comments each, in
 * turn) through a gateway with the entity cache off, one with entity answers only, one with
 * whole responses too (the default when on), and stock Apollo Gateway over the same subgraphs,
 * interleaved over the rounds, with the subgraphs' CPU per page; then the staleness a reader of
 * a second cached gateway sees after a write through the first. Markdown on stdout, JSON in
 * bench/results.
 */
const schema = z.object({
  BENCH_SECONDS: z.coerce.number().positive().default(20),
  BENCH_WARMUP_SECONDS: z.coerce.number().positive().default(5),
  BENCH_ROUNDS: z.coerce.number().int().min(1).default(2),
  BENCH_CONNECTIONS: z.coerce.number().int().min(1).default(20),
  BENCH_STALENESS_WRITES: z.coerce.number().int().min(1).default(40),
  BENCH_RESULTS_DIR: z.string().optional(),
  BENCH_LOG_LEVEL: envVar.logLevel(),
  AMQP_URL: envVar.url(['amqp', 'amqps']).default('amqp://guest:guest@127.0.0.1:5672'),
  DATABASE_SERVER_URL: envVar.url(['postgres', 'postgresql']).default('postgresql://postgres@127.0.0.1:5432/postgres'),
});
type Config = z.infer<typeof schema>;

const MODES = ['off', 'entities', 'on', 'apollo'] as const;
type Mode = (typeof MODES)[number];

export interface ModeResult extends LoadSummary {
  /** Subgraph CPU per page, ms: what the cache is for. */
  cpuPerPageMs: { recipes: number; comments: number; gateway: number };
  /** Share of entity lookups answered from the cache while measured. */
  hitRatio: number | null;
  /** Share of client queries answered whole from the response cache while measured. */
  responseHitRatio: number | null;
  /** Whole-cache flushes while measured (the stream lost and back, an unreadable entry). */
  flushes: number | null;
  peakRssMiB: number;
  /** How busy the whole machine was meanwhile, % of all cores (others' work included). */
  machineBusyPercent: number | null;
}

export interface CacheBenchResult {
  benchmark: 'entity-cache';
  date: string;
  machine: ReturnType<typeof machineFacts>;
  loadAverage: Record<string, number[]>;
  settings: Omit<Config, 'AMQP_URL' | 'DATABASE_SERVER_URL' | 'BENCH_RESULTS_DIR'>;
  /** Per mode, the lower median round by requests/s; every round in `rounds`. */
  pages: Record<Mode, ModeResult>;
  rounds: Record<Mode, ModeResult[]>;
  staleness: StalenessResult;
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

type Lookups = { hit: number; miss: number; responseHit: number; responseMiss: number; flushes: number };

async function cacheLookups(url: string): Promise<Lookups> {
  const families = parsePrometheusText(await (await fetch(new URL('/metrics', url))).text());
  const count = (result: string) =>
    ['recipes', 'comments']
      .map((subgraph) => sampleValue(families, 'potluck_gateway_entity_cache_lookups_total', { subgraph, result }) ?? 0)
      .reduce((sum, value) => sum + value, 0);
  const responses = (result: string) =>
    sampleValue(families, 'potluck_gateway_response_cache_lookups_total', { result }) ?? 0;
  const flushes = sampleValue(families, 'potluck_gateway_entity_cache_invalidations_total', { source: 'flush' }) ?? 0;
  return {
    hit: count('hit'),
    miss: count('miss'),
    responseHit: responses('hit'),
    responseMiss: responses('miss') + responses('not-serving'),
    flushes,
  };
}

const ratio = (hits: number, misses: number) =>
  hits + misses > 0 ? Math.round((hits / (hits + misses)) * 1000) / 1000 : null;

async function untilServing(url: string): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const families = parsePrometheusText(await (await fetch(new URL('/metrics', url))).text());
    if (sampleValue(families, 'potluck_gateway_entity_cache_serving') === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the entity cache of ${url} never started serving`);
}

async function run(config: Config): Promise<CacheBenchResult> {
  const workspace = await createWorkspace(config);
  const processes: BenchProcess[] = [];
  try {
    const recipeIds = (await seedDatabases(workspace.databases)).map(({ id }) => id);
    const [recipesPort, commentsPort, ...gatewayPorts] = await Promise.all(Array.from({ length: 7 }, freePort));
    const urls = {
      recipes: `http://127.0.0.1:${recipesPort}/graphql`,
      comments: `http://127.0.0.1:${commentsPort}/graphql`,
    };
    const messaging = { AMQP_URL: config.AMQP_URL, AMQP_PREFIX: workspace.amqpPrefix };
    const recipes = subgraphProcess('recipes', recipesPort!, { ...config }, workspace, {});
    const comments = subgraphProcess('comments', commentsPort!, { ...config }, workspace, {});
    processes.push(recipes, comments);
    const supergraph = await writeSupergraph(workspace, 'supergraph.graphql', urls);
    const gateway = (name: string, port: number, cache: Record<string, string>) =>
      potluckGateway(name, port, supergraph, workspace, urls, config.BENCH_LOG_LEVEL, { ...messaging, ...cache });
    const ports = gatewayPorts as [number, number, number, number, number];
    const [offPort, entitiesPort, onPort, apolloPort, otherPort] = ports;
    const gateways: Record<Mode, BenchProcess> = {
      off: gateway('gateway-off', offPort, { ENTITY_CACHE: 'false' }),
      entities: gateway('gateway-entities', entitiesPort, { ENTITY_CACHE: 'true', ENTITY_CACHE_RESPONSES: 'false' }),
      on: gateway('gateway-on', onPort, { ENTITY_CACHE: 'true' }),
      apollo: apolloPeer(String(apolloPort), supergraph, workspace),
    };
    const other = gateway('gateway-on-2', otherPort, { ENTITY_CACHE: 'true' });
    processes.push(...Object.values(gateways), other);
    const gatewayUrl = (port: number) => `http://127.0.0.1:${port}/graphql`;
    const gatewayUrls = {
      off: gatewayUrl(offPort),
      entities: gatewayUrl(entitiesPort),
      on: gatewayUrl(onPort),
      apollo: gatewayUrl(apolloPort),
      other: gatewayUrl(otherPort),
    };
    const started = [...Object.values(gateways), other];
    for (const [index, url] of Object.values(gatewayUrls).entries()) {
      const ready =
        url === gatewayUrls.apollo
          ? waitForGraphQL(url, started[index]!)
          : waitForReady(new URL('/health/ready', url).toString(), 180_000);
      await ready.catch((error: unknown) => {
        const { child } = started[index]!;
        throw new Error(`${(error as Error).message} (exit ${child.exitCode})\n${tailOf(started[index]!)}`);
      });
    }
    for (const url of [gatewayUrls.entities, gatewayUrls.on, gatewayUrls.other]) await untilServing(url);

    const cursors = await pageCursors(urls.recipes, () => workspace.auth.credential('recipes'));
    log(`${recipeIds.length} recipes, ${cursors.length} distinct pages of 20`);
    const bodies = cursors.map((after) => body(PAGES_QUERY, { after }));
    const samples: Record<Mode, ModeResult[]> = { off: [], entities: [], on: [], apollo: [] };
    for (let round = 1; round <= config.BENCH_ROUNDS; round++) {
      for (const mode of MODES) {
        let next = 0;
        const target = { url: gatewayUrls[mode], nextBody: () => bodies[next++ % bodies.length]! };
        await runAutocannon(target, config.BENCH_CONNECTIONS, config.BENCH_WARMUP_SECONDS);
        const caching = mode === 'on' || mode === 'entities';
        const before = caching ? await cacheLookups(gatewayUrls[mode]) : undefined;
        const pids = { recipes: recipes.child.pid, comments: comments.child.pid, gateway: gateways[mode].child.pid };
        const sampler = sampleProcesses(pids);
        const machineCpu = watchMachineCpu();
        const sample = await runAutocannon(target, config.BENCH_CONNECTIONS, config.BENCH_SECONDS);
        const usage = sampler.stop();
        const machineBusyPercent = machineCpu.stop();
        const after = caching ? await cacheLookups(gatewayUrls[mode]) : undefined;
        const perPage = (name: keyof typeof pids) =>
          Math.round(((usage.cpuMs[name] ?? 0) / sample.requests) * 100) / 100;
        samples[mode].push({
          ...summarize(sample),
          cpuPerPageMs: { recipes: perPage('recipes'), comments: perPage('comments'), gateway: perPage('gateway') },
          hitRatio: before && after ? ratio(after.hit - before.hit, after.miss - before.miss) : null,
          responseHitRatio:
            before && after
              ? ratio(after.responseHit - before.responseHit, after.responseMiss - before.responseMiss)
              : null,
          flushes: before && after ? after.flushes - before.flushes : null,
          peakRssMiB: usage.rssMiB.gateway ?? 0,
          machineBusyPercent,
        });
        log(`round ${round}, cache ${mode}: ${JSON.stringify(samples[mode].at(-1))}`);
      }
    }
    const staleness = await measureStaleness(
      {
        writer: gatewayUrls.on,
        reader: gatewayUrls.other,
        authorization: await workspace.auth.authorization(),
      },
      config.BENCH_STALENESS_WRITES,
    );
    log(`staleness: ${JSON.stringify(staleness)}`);
    const settings = {
      BENCH_SECONDS: config.BENCH_SECONDS,
      BENCH_WARMUP_SECONDS: config.BENCH_WARMUP_SECONDS,
      BENCH_ROUNDS: config.BENCH_ROUNDS,
      BENCH_CONNECTIONS: config.BENCH_CONNECTIONS,
      BENCH_STALENESS_WRITES: config.BENCH_STALENESS_WRITES,
      BENCH_LOG_LEVEL: config.BENCH_LOG_LEVEL,
    };
    return {
      benchmark: 'entity-cache',
      date: new Date().toISOString(),
      machine: machineFacts(),
      loadAverage: {},
      settings,
      pages: {
        off: pooled(samples.off),
        entities: pooled(samples.entities),
        on: pooled(samples.on),
        apollo: pooled(samples.apollo),
      },
      rounds: samples,
      staleness,
    };
  } finally {
    await Promise.all(processes.map((process) => stopProcess(process)));
    await workspace.cleanUp();
  }
}

/** The rounds of one mode: the (lower) median round by requests/s, so one disturbed round does not decide it. */
function pooled(rounds: ModeResult[]): ModeResult {
  const sorted = [...rounds].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

const config = parseEnv(schema, process.env);
const loadBefore = loadAverage();
const result = await run(config);
result.loadAverage = { start: loadBefore, end: loadAverage() };
const file = await writeResult('entity-cache', result, config.BENCH_RESULTS_DIR);
process.stdout.write(`${toMarkdown(result)}\n`);
log(`result written to ${file}`);
