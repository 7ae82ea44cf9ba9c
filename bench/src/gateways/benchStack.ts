import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { dropDatabase, ensureDatabase, withDatabase } from '@potluck/db';
import { migrateSubgraph } from '@potluck/service';
import { declareEventExchanges, deleteBrokerTopology, freePort, randomName, uniqueAmqpPrefix } from '@potluck/testing';
import { nodeArgsOf, REPO_ROOT, SERVICES, waitForReady } from '../../../scripts/stack.js';
import { createBenchAuth, type BenchAuth } from './benchAuth.js';
import type { BenchConfig } from './config.js';
import { GATEWAYS, type GatewayName } from './gatewayNames.js';
import { hiveGatewayConfigSource } from './peers/hiveGatewayCredential.js';
import { startProcess, stopProcess, tailOf, type BenchProcess } from './processes.js';
import { withSubgraphUrls } from './supergraphUrls.js';

/** Throwaway databases, a broker prefix, a scratch folder (logs, supergraph, keys) and identity for one run. */
export interface BenchWorkspace {
  databases: { recipes: string; comments: string };
  amqpPrefix: string;
  dir: string;
  auth: BenchAuth;
  cleanUp(): Promise<void>;
}

/**
 * Throwaway, migrated databases for both subgraphs, a broker prefix, and a gateway↔subgraph
 * secret and development keys of the run's own, with the clean-up that removes them.
 */
export async function createWorkspace(
  config: Pick<BenchConfig, 'DATABASE_SERVER_URL' | 'AMQP_URL'>,
): Promise<BenchWorkspace> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'potluck-bench-'));
  const auth = createBenchAuth(dir);
  const databases = {
    recipes: withDatabase(config.DATABASE_SERVER_URL, randomName('potluck_bench_recipes')),
    comments: withDatabase(config.DATABASE_SERVER_URL, randomName('potluck_bench_comments')),
  };
  const amqpPrefix = uniqueAmqpPrefix();
  const cleanUp = async () => {
    await Promise.all([dropDatabase(databases.recipes), dropDatabase(databases.comments)]);
    await deleteBrokerTopology(amqpPrefix, config.AMQP_URL);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const name of ['recipes', 'comments'] as const) {
      await ensureDatabase(databases[name]);
      await migrateSubgraph(databases[name], path.join(REPO_ROOT, SERVICES[name].migrations));
    }
    // As a deployment's broker definitions do: a subgraph started alone (the pair benchmarks)
    // would otherwise wait for the other's exchange.
    await declareEventExchanges(amqpPrefix, config.AMQP_URL);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return { databases, amqpPrefix, dir, auth, cleanUp };
}

export interface RunningBench {
  urls: { recipes: string; comments: string } & Record<GatewayName, string>;
  /** The run's identity: credentials for calls straight to a subgraph, a user token for writes. */
  auth: BenchAuth;
  processes: BenchProcess[];
  pids(): Record<string, number | undefined>;
  stop(): Promise<void>;
}

const origin = (port: number) => `http://127.0.0.1:${port}`;

/** Answers a trivial query: how the peers, which have no readiness route, are awaited. */
export async function waitForGraphQL(url: string, running: BenchProcess, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && running.child.exitCode === null) {
    const ok = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
      signal: AbortSignal.timeout(1000),
    }).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${running.name} did not answer at ${url}:\n${tailOf(running)}`);
}

/** The committed supergraph pointed at this run's subgraphs, written where every gateway reads it. */
export async function writeSupergraph(
  workspace: BenchWorkspace,
  file: string,
  urls: { recipes: string; comments: string },
): Promise<string> {
  const supergraph = path.join(workspace.dir, file);
  const committed = await readFile(path.join(REPO_ROOT, 'schema', 'supergraph.graphql'), 'utf8');
  await writeFile(supergraph, withSubgraphUrls(committed, urls));
  return supergraph;
}

/** Potluck's gateway as `npm start` runs it (`gateway/src/main.ts`, of `checkout` when given), on the given supergraph, with the run's keys. */
export function potluckGateway(
  name: string,
  port: number,
  supergraph: string,
  workspace: BenchWorkspace,
  urls: { recipes: string; comments: string },
  logLevel: string,
  extraEnv: Record<string, string> = {},
  checkout?: string,
): BenchProcess {
  const env = { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: logLevel, SUPERGRAPH_PATH: supergraph, ...extraEnv };
  return startProcess(
    name,
    nodeArgsOf('gateway'),
    { ...env, ...workspace.auth.env, RECIPES_URL: urls.recipes, COMMENTS_URL: urls.comments },
    { logDir: workspace.dir, cwd: checkout },
  );
}

/** A subgraph as `npm start` runs it, on the run's database; `processName` names its process and log file. */
export function subgraphProcess(
  name: 'recipes' | 'comments',
  port: number,
  config: Pick<BenchConfig, 'BENCH_LOG_LEVEL' | 'AMQP_URL'>,
  workspace: BenchWorkspace,
  extraEnv: Record<string, string>,
  processName: string = name,
  checkout?: string,
) {
  const env = {
    // The run's log level unless the caller sets another (a paired run comparing levels).
    LOG_LEVEL: config.BENCH_LOG_LEVEL,
    ...extraEnv,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: workspace.databases[name],
    AMQP_URL: config.AMQP_URL,
    AMQP_PREFIX: workspace.amqpPrefix,
    MIGRATE_ON_START: 'false',
    ...workspace.auth.env,
  };
  return startProcess(processName, nodeArgsOf(name), env, { logDir: workspace.dir, cwd: checkout });
}

/**
 * Hive Gateway's own CLI, run with plain node (no tsx) as its users run it, with a config file
 * of its own in the scratch folder (`--config-path`): the credential plugin, and for
 * `hive-router` the Rust query planner.
 */
async function hiveProcess(
  name: 'hive' | 'hive-router',
  port: string,
  config: BenchConfig,
  workspace: BenchWorkspace,
  supergraph: string,
) {
  const configFile = path.join(workspace.dir, `${name}.gateway.config.ts`);
  await writeFile(configFile, hiveGatewayConfigSource({ routerRuntime: name === 'hive-router' }));
  const args = ['supergraph', supergraph, '--config-path', configFile, '--host', '127.0.0.1', '--port', port];
  return startProcess(
    name,
    [hiveBin(), ...args, '--fork', String(config.BENCH_HIVE_FORK)],
    { INTERNAL_AUTH_SECRET: workspace.auth.env.INTERNAL_AUTH_SECRET },
    { logDir: workspace.dir, cwd: workspace.dir },
  );
}

/** Stock Apollo Gateway (`peers/apolloGateway.ts`) on the supergraph, signing its calls with the run's secret. */
export function apolloPeer(port: string, supergraph: string, workspace: BenchWorkspace, name = 'apollo'): BenchProcess {
  return startProcess(
    name,
    ['--import', 'tsx', fileOf('./peers/apolloGateway.ts')],
    { SUPERGRAPH_PATH: supergraph, PORT: port, INTERNAL_AUTH_SECRET: workspace.auth.env.INTERNAL_AUTH_SECRET },
    { logDir: workspace.dir },
  );
}

/**
 * Starts the peers one after the other, each once the one before answers: each given the same
 * supergraph file and the run's gateway↔subgraph secret, and nothing else. Each signs its
 * subgraph calls its own way (Apollo in `willSendRequest`, Hive in a plugin of its config file).
 */
async function startPeers(
  config: BenchConfig,
  workspace: BenchWorkspace,
  supergraph: string,
  urls: Record<GatewayName, string>,
  into: BenchProcess[],
): Promise<void> {
  const portOf = (name: GatewayName) => new URL(urls[name]).port;
  const starts = {
    apollo: async () => apolloPeer(portOf('apollo'), supergraph, workspace),
    hive: () => hiveProcess('hive', portOf('hive'), config, workspace, supergraph),
    'hive-router': () => hiveProcess('hive-router', portOf('hive-router'), config, workspace, supergraph),
  };
  for (const [name, start] of Object.entries(starts)) {
    const peer = await start();
    into.push(peer);
    await waitForGraphQL(urls[name as GatewayName], peer);
  }
}

/**
 * The subgraphs, then Potluck's gateway and its three peers, all as processes on free ports;
 * `potluckEnv` goes to Potluck's three services only (the tracing settings).
 */
export async function startBench(
  config: BenchConfig,
  workspace: BenchWorkspace,
  potluckEnv: Record<string, string> = {},
): Promise<RunningBench> {
  const ports = await Promise.all(Array.from({ length: 2 + GATEWAYS.length }, freePort));
  const [recipes, comments, ...gateways] = ports.map((port) => `${origin(port)}/graphql`) as string[];
  const gatewayUrls = Object.fromEntries(GATEWAYS.map((name, index) => [name, gateways[index]!]));
  const urls = { recipes: recipes!, comments: comments!, ...(gatewayUrls as Record<GatewayName, string>) };
  const supergraph = await writeSupergraph(workspace, 'supergraph.graphql', {
    recipes: urls.recipes,
    comments: urls.comments,
  });
  const processes = [
    subgraphProcess('recipes', ports[0]!, config, workspace, potluckEnv),
    subgraphProcess('comments', ports[1]!, config, workspace, potluckEnv),
  ];
  const stop = async () => void (await Promise.all(processes.map((running) => stopProcess(running))));
  try {
    await Promise.all(ports.slice(0, 2).map((port) => waitForReady(`${origin(port)}/health/ready`, 60_000)));
    processes.push(
      potluckGateway('potluck', ports[2]!, supergraph, workspace, urls, config.BENCH_LOG_LEVEL, potluckEnv),
    );
    // One gateway at a time: four starting at once on a loaded two-core machine missed their deadline.
    await waitForReady(`${origin(ports[2]!)}/health/ready`, 60_000);
    await startPeers(config, workspace, supergraph, urls, processes);
  } catch (error) {
    await stop();
    const logs = processes.map((running) => `[${running.name}] ${tailOf(running, 5)}`).join('\n');
    throw new Error(`the benchmark stack did not start: ${(error as Error).message}\n${logs}`, { cause: error });
  }
  return {
    urls,
    auth: workspace.auth,
    processes,
    pids: () => Object.fromEntries(processes.map((p) => [p.name, p.child.pid])),
    stop,
  };
}

function fileOf(relative: string): string {
  return new URL(relative, import.meta.url).pathname;
}

/** Hive Gateway's own CLI from its npm package. */
function hiveBin(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve('@graphql-hive/gateway')), 'bin.js');
}
