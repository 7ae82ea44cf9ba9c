import os from 'node:os';
import type { BenchConfig } from './config.js';
import { createWorkspace, startBench, type RunningBench } from './benchStack.js';
import { mergeSamples, summarize, type LoadSample, type LoadSummary } from './loadSample.js';
import { machineFacts, packageVersions } from './machine.js';
import { percentilePoints, type PercentilePoint } from '../distributions.js';
import { startOtlpSink, type SinkStats } from './otlpSink.js';
import { sampleProcesses, type ProcessUsage } from './processSampler.js';
import { pageCursors } from './queries.js';
import { checkSameAnswers } from './sameAnswers.js';
import { PAGE_SIZE, scenarios, type Scenario } from './scenarios.js';
import { seedDatabases } from './seed.js';
import { COMMENTS_PER_RECIPE, RECIPES } from './seedData.js';
import { countStatements, type StatementCount } from './sqlStatements.js';

export interface ScenarioResult {
  id: Scenario['id'];
  title: string;
  client: Scenario['client'];
  connections: number;
  gateway: Scenario['gateway'] | null;
  summary: LoadSummary;
  /** Latency at fixed percentiles from every sample of the scenario (absent in results before 2026-12-02). */
  distributionMs?: PercentilePoint[];
  /** Peak resident memory of each process while this scenario was measured, MiB. */
  rssMiB: Record<string, number>;
  /** CPU time each process spent per successful request, ms: the cost of a request, whatever else ran. */
  cpuMsPerRequest: Record<string, number>;
}

export interface GatewayBenchResult {
  benchmark: 'gateways';
  date: string;
  machine: ReturnType<typeof machineFacts>;
  loadAverage: { before: number[]; after: number[] };
  settings: {
    connections: number;
    secondsPerScenario: number;
    warmupSeconds: number;
    rounds: number;
    logLevel: string;
    hiveFork: number;
    seed: string;
    /** With `BENCH_TRACING`: what Potluck's services exported to the local sink over the whole run. */
    tracing?: { exporter: string } & SinkStats;
  };
  versions: Record<string, string>;
  idleRssMiB: Record<string, number>;
  scenarios: ScenarioResult[];
  sqlStatements: StatementCount[];
}

interface Measured {
  samples: LoadSample[];
  usage: ProcessUsage;
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const loadAverage = () => os.loadavg().map((n) => Math.round(n * 100) / 100);

/** Warm-up (unmeasured), then the measured stretch, with every process's RSS and CPU watched. */
async function measureOnce(scenario: Scenario, seconds: number, warmup: number, bench: RunningBench, into: Measured) {
  await scenario.run(warmup);
  const watch = sampleProcesses({ ...bench.pids(), 'load generator': process.pid }, { alone: ['load generator'] });
  into.samples.push(await scenario.run(seconds));
  const usage = watch.stop();
  for (const [name, peak] of Object.entries(usage.rssMiB))
    into.usage.rssMiB[name] = Math.max(into.usage.rssMiB[name] ?? 0, peak);
  for (const [name, cpu] of Object.entries(usage.cpuMs)) into.usage.cpuMs[name] = (into.usage.cpuMs[name] ?? 0) + cpu;
}

function resultOf(scenario: Scenario, { samples, usage }: Measured): ScenarioResult {
  const merged = mergeSamples(samples);
  const summary = summarize(merged);
  const perRequest = (cpu: number) => (summary.requests > 0 ? Math.round((cpu / summary.requests) * 1000) / 1000 : 0);
  return {
    id: scenario.id,
    title: scenario.title,
    client: scenario.client,
    connections: scenario.connections,
    gateway: scenario.gateway ?? null,
    summary,
    distributionMs: percentilePoints(merged.latenciesMs),
    rssMiB: usage.rssMiB,
    cpuMsPerRequest: Object.fromEntries(Object.entries(usage.cpuMs).map(([name, cpu]) => [name, perRequest(cpu)])),
  };
}

/** Reads interleaved over the rounds so slow drift on a shared machine hits them all alike; writes last, once. */
async function runScenarios(config: BenchConfig, list: Scenario[], bench: RunningBench): Promise<ScenarioResult[]> {
  const measured = new Map<Scenario, Measured>(list.map((s) => [s, { samples: [], usage: { rssMiB: {}, cpuMs: {} } }]));
  const reads = list.filter((scenario) => scenario.interleaved);
  const order = [
    ...Array.from({ length: config.BENCH_ROUNDS }, () => reads).flat(),
    ...list.filter((s) => !s.interleaved),
  ];
  for (const [index, scenario] of order.entries()) {
    log(`${index + 1}/${order.length} ${scenario.id}`);
    const seconds = scenario.interleaved ? config.BENCH_SECONDS / config.BENCH_ROUNDS : config.BENCH_SECONDS;
    await measureOnce(scenario, seconds, config.BENCH_WARMUP_SECONDS, bench, measured.get(scenario)!);
  }
  return list.map((scenario) => resultOf(scenario, measured.get(scenario)!));
}

function settingsOf(config: BenchConfig): GatewayBenchResult['settings'] {
  return {
    connections: config.BENCH_CONNECTIONS,
    secondsPerScenario: config.BENCH_SECONDS,
    warmupSeconds: config.BENCH_WARMUP_SECONDS,
    rounds: config.BENCH_ROUNDS,
    logLevel: config.BENCH_LOG_LEVEL,
    hiveFork: config.BENCH_HIVE_FORK,
    seed: `${RECIPES} recipes × ${COMMENTS_PER_RECIPE} comments, written with SQL into both databases and their replicas`,
  };
}

/**
 * The whole gateway benchmark: throwaway databases seeded with the fixed data set, SQL
 * statements counted with the subgraphs in-process, then the subgraphs, Potluck's gateway
 * and both peers as processes, every scenario measured, and everything removed again.
 */
export async function runGatewayBench(config: BenchConfig): Promise<GatewayBenchResult> {
  const before = loadAverage();
  const workspace = await createWorkspace(config);
  try {
    const recipes = await seedDatabases(workspace.databases);
    log('seeded; counting SQL statements per request');
    const sqlStatements = await countStatements(config, workspace);
    const sink = config.BENCH_TRACING ? await startOtlpSink() : undefined;
    const bench = await startBench(config, workspace, sink ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint } : {});
    try {
      const idleRssMiB = sampleProcesses(bench.pids()).stop().rssMiB;
      const cursors = await pageCursors(bench.urls.recipes, () => bench.auth.credential('recipes'));
      await checkSameAnswers(bench, PAGE_SIZE, cursors[1] ?? null);
      const seed = { recipeIds: recipes.map((recipe) => recipe.id), cursors };
      const chosen = (await scenarios(bench, config.BENCH_CONNECTIONS, seed)).filter(
        (scenario) => !config.BENCH_ONLY || config.BENCH_ONLY.includes(scenario.id),
      );
      const results = await runScenarios(config, chosen, bench);
      return {
        benchmark: 'gateways',
        date: new Date().toISOString(),
        machine: machineFacts(),
        loadAverage: { before, after: loadAverage() },
        settings: {
          ...settingsOf(config),
          ...(sink && { tracing: { exporter: 'OTLP http/protobuf to a local sink', ...sink.stats() } }),
        },
        versions: packageVersions(),
        idleRssMiB,
        scenarios: results,
        sqlStatements,
      };
    } finally {
      await bench.stop();
      await sink?.close();
    }
  } finally {
    await workspace.cleanUp();
  }
}
