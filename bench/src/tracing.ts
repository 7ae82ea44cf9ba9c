import { writeResult } from './results.js';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@potluck/testing';
import { waitForReady } from '../../scripts/stack.js';
import { runAutocannon, type HttpTarget } from './gateways/autocannonLoad.js';
import {
  createWorkspace,
  potluckGateway,
  subgraphProcess,
  writeSupergraph,
  type BenchWorkspace,
} from './gateways/benchStack.js';
import { gatewayExchange, openPools, runClosedLoop } from './gateways/closedLoop.js';
import { loadBenchConfig, type BenchConfig } from './gateways/config.js';
import { mergeSamples, summarize, type LoadSample } from './gateways/loadSample.js';
import { machineFacts } from './gateways/machine.js';
import { startOtlpSink } from './gateways/otlpSink.js';
import { sampleProcesses } from './gateways/processSampler.js';
import { stopProcess, type BenchProcess } from './gateways/processes.js';
import {
  body,
  CREATE_RECIPE_INPUT,
  CREATE_RECIPE_MUTATION,
  pageCursors,
  pageQuery,
  PAGES_QUERY,
} from './gateways/queries.js';
import { seedDatabases } from './gateways/seed.js';

/**
 * `npm run bench:tracing`: what tracing costs. Two Potluck stacks side by side, each on
 * databases seeded alike, one without tracing and one exporting every span (OTLP
 * http/protobuf) to a local sink; every scenario measured on both, alternately (off then on,
 * then on then off, …) so drift on a shared machine hits both alike.
 */
type Arm = 'off' | 'on';
const ARMS: readonly Arm[] = ['off', 'on'];
const SERVICES = ['gateway', 'recipes', 'comments'] as const;

interface PotluckStack {
  gatewayUrl: string;
  recipesUrl: string;
  workspace: BenchWorkspace;
  pids(): Record<string, number | undefined>;
  stop(): Promise<void>;
}

const log = (line: string) => process.stderr.write(`[bench:tracing] ${line}\n`);
const origin = (port: number) => `http://127.0.0.1:${port}`;

async function startPotluck(arm: Arm, config: BenchConfig, workspace: BenchWorkspace, env: Record<string, string>) {
  const [recipes, comments, gateway] = await Promise.all([freePort(), freePort(), freePort()]);
  const urls = { recipes: `${origin(recipes)}/graphql`, comments: `${origin(comments)}/graphql` };
  const processes: Record<string, BenchProcess> = {
    recipes: subgraphProcess('recipes', recipes, config, workspace, env, `recipes-${arm}`),
    comments: subgraphProcess('comments', comments, config, workspace, env, `comments-${arm}`),
  };
  const stop = async () => void (await Promise.all(Object.values(processes).map((running) => stopProcess(running))));
  try {
    await Promise.all([recipes, comments].map((port) => waitForReady(`${origin(port)}/health/ready`, 60_000)));
    const supergraph = await writeSupergraph(workspace, `supergraph-${arm}.graphql`, urls);
    const { BENCH_LOG_LEVEL } = config;
    processes.gateway = potluckGateway(`gateway-${arm}`, gateway, supergraph, workspace, urls, BENCH_LOG_LEVEL, env);
    await waitForReady(`${origin(gateway)}/health/ready`, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const pids = () => Object.fromEntries(SERVICES.map((name) => [name, processes[name]?.child.pid]));
  return { gatewayUrl: `${origin(gateway)}/graphql`, recipesUrl: urls.recipes, workspace, pids, stop };
}

interface Scenario {
  title: string;
  connections: number;
  run(stack: PotluckStack, seconds: number): Promise<LoadSample>;
}

async function scenariosFor(stacks: Record<Arm, PotluckStack>, connections: number): Promise<Scenario[]> {
  const { off } = stacks;
  const cursors = await pageCursors(off.recipesUrl, () => off.workspace.auth.credential('recipes'));
  let next = 0;
  const pages = () => body(PAGES_QUERY, { after: cursors[next++ % cursors.length] });
  const page = body(pageQuery(20));
  const autocannon = (target: (stack: PotluckStack) => Promise<HttpTarget>) => (stack: PotluckStack, s: number) =>
    target(stack).then((resolved) => runAutocannon(resolved, connections, s));
  return [
    {
      title: 'page of 20 × 5 comments, 1 connection',
      connections: 1,
      async run(stack, seconds) {
        const { pools, close } = openPools([stack.gatewayUrl], 1);
        try {
          return await runClosedLoop(gatewayExchange(pools[0]!, stack.gatewayUrl, page), 1, seconds);
        } finally {
          await close();
        }
      },
    },
    {
      title: 'every page in turn (distinct requests)',
      connections,
      run: autocannon(async (stack) => ({ url: stack.gatewayUrl, nextBody: pages })),
    },
    {
      title: 'page of 20 (one hot query)',
      connections,
      run: autocannon(async (stack) => ({ url: stack.gatewayUrl, body: page })),
    },
    {
      title: '`createRecipe` (event published and consumed)',
      connections,
      run: autocannon(async (stack) => ({
        url: stack.gatewayUrl,
        body: body(CREATE_RECIPE_MUTATION, { input: CREATE_RECIPE_INPUT }),
        headers: { authorization: await stack.workspace.auth.authorization() },
      })),
    },
  ];
}

interface Measured {
  samples: LoadSample[];
  cpuMs: Record<string, number>;
}

async function measure(scenario: Scenario, stack: PotluckStack, config: BenchConfig, into: Measured) {
  await scenario.run(stack, config.BENCH_WARMUP_SECONDS);
  const watch = sampleProcesses(stack.pids());
  into.samples.push(await scenario.run(stack, config.BENCH_SECONDS / config.BENCH_ROUNDS));
  for (const [name, cpu] of Object.entries(watch.stop().cpuMs)) into.cpuMs[name] = (into.cpuMs[name] ?? 0) + cpu;
}

function resultOf({ samples, cpuMs }: Measured) {
  const summary = summarize(mergeSamples(samples));
  const perRequest = (ms: number) => Math.round((ms / Math.max(1, summary.requests)) * 100) / 100;
  const [gateway, recipes, comments] = SERVICES.map((name) => perRequest(cpuMs[name] ?? 0)) as [number, number, number];
  const total = perRequest(SERVICES.reduce((sum, name) => sum + (cpuMs[name] ?? 0), 0));
  return { ...summary, cpuMsPerRequest: { gateway, recipes, comments, total } };
}

type ArmResult = ReturnType<typeof resultOf>;

function toMarkdown(rows: Array<{ title: string; connections: number } & Record<Arm, ArmResult>>): string {
  const ratio = (on: number, off: number) => (off > 0 ? `${Math.round((on / off) * 100) / 100}×` : '—');
  const cells = (r: ArmResult) =>
    `${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.cpuMsPerRequest.gateway} + ${r.cpuMsPerRequest.recipes} + ${r.cpuMsPerRequest.comments} = ${r.cpuMsPerRequest.total}`;
  return [
    '| scenario | connections | tracing | req/s | p50 ms | p99 ms | errors | CPU ms/req: gateway + recipes + comments | on ÷ off: req/s, p50, CPU |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.flatMap((row) => [
      `| ${row.title} | ${row.connections} | off | ${cells(row.off)} | |`,
      `| | | on | ${cells(row.on)} | ${ratio(row.on.rps, row.off.rps)}, ${ratio(row.on.p50, row.off.p50)}, ${ratio(row.on.cpuMsPerRequest.total, row.off.cpuMsPerRequest.total)} |`,
    ]),
  ].join('\n');
}

const loadAverage = () => os.loadavg().map((n) => Math.round(n * 100) / 100);

async function run(config: BenchConfig) {
  const before = loadAverage();
  const workspaces = { off: await createWorkspace(config), on: await createWorkspace(config) };
  const sink = await startOtlpSink();
  const started: PotluckStack[] = [];
  try {
    for (const arm of ARMS) await seedDatabases(workspaces[arm].databases);
    log('seeded both; starting the two stacks');
    const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint };
    for (const arm of ARMS) started.push(await startPotluck(arm, config, workspaces[arm], arm === 'on' ? tracing : {}));
    const stacks = { off: started[0]!, on: started[1]! };
    const list = await scenariosFor(stacks, config.BENCH_CONNECTIONS);
    const measured = list.map(
      () => ({ off: { samples: [], cpuMs: {} }, on: { samples: [], cpuMs: {} } }) as Record<Arm, Measured>,
    );
    for (let round = 0; round < config.BENCH_ROUNDS; round += 1) {
      const order = round % 2 === 0 ? ARMS : [...ARMS].reverse();
      for (const [index, scenario] of list.entries()) {
        for (const arm of order) {
          log(`round ${round + 1}/${config.BENCH_ROUNDS}: ${scenario.title}, tracing ${arm}`);
          await measure(scenario, stacks[arm], config, measured[index]![arm]);
        }
      }
    }
    const rows = list.map((scenario, index) => ({
      title: scenario.title,
      connections: scenario.connections,
      off: resultOf(measured[index]!.off),
      on: resultOf(measured[index]!.on),
    }));
    const date = new Date().toISOString();
    const settings = {
      seconds: config.BENCH_SECONDS,
      rounds: config.BENCH_ROUNDS,
      warmupSeconds: config.BENCH_WARMUP_SECONDS,
      logLevel: config.BENCH_LOG_LEVEL,
      exporter: 'OTLP http/protobuf to a local sink',
    };
    return {
      benchmark: 'tracing',
      date,
      machine: machineFacts(),
      loadAverage: { before, after: loadAverage() },
      settings,
      sink: sink.stats(),
      scenarios: rows,
      markdown: toMarkdown(rows),
    };
  } finally {
    await Promise.all(started.map((stack) => stack.stop()));
    await sink.close();
    await Promise.all(ARMS.map((arm) => workspaces[arm].cleanUp()));
  }
}

try {
  const config = loadBenchConfig(process.env);
  const { markdown, ...result } = await run(config);
  console.log(
    `## Tracing overhead, ${result.date}\n\nLoad average before: ${result.loadAverage.before.join(' / ')}; after: ${result.loadAverage.after.join(' / ')}. Sink: ${result.sink.exports} exports, ${Math.round(result.sink.bytes / 1024)} KiB.\n\n${markdown}`,
  );
  const file = await writeResult('tracing', result, config.BENCH_RESULTS_DIR);
  log(`wrote ${path.relative(process.cwd(), file)}`);
} catch (error) {
  console.error(error);
  process.exit(1);
}
