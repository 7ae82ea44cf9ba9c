import os from 'node:os';
import type { BenchConfig } from './config.js';
import { createWorkspace, startBench, type RunningBench } from './benchStack.js';
import { mergeSamples, summarize, type LoadSample, type LoadSummary } from './loadSample.js';
import { machineFacts, packageVersions } from './machine.js';
import { sampleProcesses, type ProcessUsage } from './processSampler.js';
import { scenarios, type Scenario } from './scenarios.js';
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
  };
  versions: Record<string, string>;
  idleRssMiB: Record<string, number>;
  scenarios: ScenarioResult[];
  sqlStatements: StatementCount[];
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Warm-up (unmeasured), then the measured stretch with RSS sampled. */
async function measureOnce(scenario: Scenario, seconds: number, warmup: number, bench: RunningBench) {
  await scenario.run(warmup);
  const usage = sampleProcesses({ ...bench.pids(), 'load generator': process.pid });
  const sample = await scenario.run(seconds);
  return { sample, usage: usage.stop() };
}

function addUsage(total: ProcessUsage, usage: ProcessUsage): void {
  for (const [name, peak] of Object.entries(usage.rssMiB)) total.rssMiB[name] = Math.max(total.rssMiB[name] ?? 0, peak);
  for (const [name, cpu] of Object.entries(usage.cpuMs)) total.cpuMs[name] = (total.cpuMs[name] ?? 0) + cpu;
}

function perRequest(cpuMs: Record<string, number>, requests: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(cpuMs).map(([name, cpu]) => [name, requests > 0 ? Math.round((cpu / requests) * 1000) / 1000 : 0]),
  );
}

/** Reads interleaved over the rounds so slow drift on a shared machine is spread over all; writes last. */
async function runScenarios(config: BenchConfig, list: Scenario[], bench: RunningBench): Promise<ScenarioResult[]> {
  const measured = new Map<Scenario, { samples: LoadSample[]; usage: ProcessUsage }>(
    list.map((s) => [s, { samples: [], usage: { rssMiB: {}, cpuMs: {} } }]),
  );
  const rounds = (scenario: Scenario) => (scenario.interleaved ? config.BENCH_ROUNDS : 1);
  const order = [
    ...Array.from({ length: config.BENCH_ROUNDS }, () => list.filter((s) => s.interleaved)).flat(),
    ...list.filter((s) => !s.interleaved),
  ];
  for (const [index, scenario] of order.entries()) {
    log(`[bench] ${index + 1}/${order.length} ${scenario.id}`);
    const seconds = config.BENCH_SECONDS / rounds(scenario);
    const { sample, usage } = await measureOnce(scenario, seconds, config.BENCH_WARMUP_SECONDS, bench);
    const entry = measured.get(scenario)!;
    entry.samples.push(sample);
    addUsage(entry.usage, usage);
  }
  return list.map((scenario) => {
    const { samples, usage } = measured.get(scenario)!;
    const summary = summarize(mergeSamples(samples));
    return {
      id: scenario.id,
      title: scenario.title,
      client: scenario.client,
      connections: scenario.connections,
      gateway: scenario.gateway ?? null,
      summary,
      rssMiB: usage.rssMiB,
      cpuMsPerRequest: perRequest(usage.cpuMs, summary.requests),
    };
  });
}

/**
 * The whole gateway benchmark: throwaway databases seeded with the fixed data set, SQL
 * statements counted with the subgraphs in-process, then the stack and both peers as
 * processes, every scenario measured, and everything removed again.
 */
export async function runGatewayBench(config: BenchConfig): Promise<GatewayBenchResult> {
  const before = os.loadavg();
  const workspace = await createWorkspace(config);
  try {
    const recipes = await seedDatabases(workspace.databases);
    log('[bench] seeded; counting SQL statements per request');
    const sqlStatements = await countStatements(config, workspace);
    const bench = await startBench(config, workspace);
    try {
      const idle = sampleProcesses(bench.pids()).stop().rssMiB;
      const results = await runScenarios(
        config,
        scenarios(
          bench,
          config.BENCH_CONNECTIONS,
          recipes.map((r) => r.id),
        ),
        bench,
      );
      return {
        benchmark: 'gateways',
        date: new Date().toISOString(),
        machine: machineFacts(),
        loadAverage: {
          before: before.map((n) => Math.round(n * 100) / 100),
          after: os.loadavg().map((n) => Math.round(n * 100) / 100),
        },
        settings: {
          connections: config.BENCH_CONNECTIONS,
          secondsPerScenario: config.BENCH_SECONDS,
          warmupSeconds: config.BENCH_WARMUP_SECONDS,
          rounds: config.BENCH_ROUNDS,
          logLevel: config.BENCH_LOG_LEVEL,
          hiveFork: config.BENCH_HIVE_FORK,
          seed: `${RECIPES} recipes × ${COMMENTS_PER_RECIPE} comments, written with SQL into both databases and their replicas`,
        },
        versions: packageVersions(),
        idleRssMiB: idle,
        scenarios: results,
        sqlStatements,
      };
    } finally {
      await bench.stop();
    }
  } finally {
    await workspace.cleanUp();
  }
}
