import { afterAll, beforeAll, expect } from 'vitest';
import { createClient, type GraphQLClient } from '@potluck/client';
import type { User } from '@potluck/identity';
import {
  actAsGatewayFor,
  createTestDatabase,
  deleteBrokerTopology,
  freePort,
  signInAt,
  startTcpProxy,
  TEST_USER,
  testAmqpUrl,
  testIdentityProvider,
  uniqueAmqpPrefix,
  waitFor,
  type TcpProxy,
  type TestDatabase,
  type TestIdentityProvider,
} from '@potluck/testing';
import {
  hasExited,
  spawnService,
  stopInOrder,
  stopService,
  waitForReady,
  type ServiceName,
  type ServiceProcess,
} from '../scripts/stack.js';
import { jsonLines } from './gatewayHelpers.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './roundRobinProxy.js';
import type { StackEnv } from './stack.js';

type Subgraph = 'recipes' | 'comments';
type ServiceEnv = Record<string, string>;

/** How many processes of each service; the defaults are the issue's: two of everything. */
export type ReplicaCounts = Record<ServiceName, number>;

export interface ReplicaStackOptions {
  /** Two of each unless given. */
  counts?: ReplicaCounts;
  /** Variables added to (or overriding) every replica of a service. */
  env?: StackEnv;
  /** Variables for one replica's first process only, by label (e.g. a failpoint it starts armed with). */
  firstStart?: Record<string, ServiceEnv>;
}

/** One process slot of the stack: its port, its current process and (a subgraph's) own link to RabbitMQ. */
export interface Replica {
  /** `recipes#1`, `gateway#2`: the prefix of its log lines and its name in fault timelines. */
  label: string;
  name: ServiceName;
  origin: string;
  /** The process running now; a restart replaces it. */
  process: ServiceProcess;
  /** A TCP proxy between this subgraph replica and RabbitMQ, to cut its link alone. */
  brokerLink?: TcpProxy;
}

export interface ReplicaStack {
  /** Each gateway's `/graphql`; every gateway reaches every subgraph replica through the balancers. */
  gatewayUrls: string[];
  /** A round-robin balancer in front of each subgraph's replicas (what `RECIPES_URL` and `COMMENTS_URL` name). */
  balancers: Record<Subgraph, RoundRobinProxy>;
  databaseUrls: { recipes: string; comments: string };
  amqpPrefix: string;
  identities: TestIdentityProvider;
  /** Every line every process printed, prefixed with its replica's label. */
  logs: string[];
  replicas: Replica[];
  replica(label: string): Replica;
  /** A typed client of gateway `index` (0-based), signed in as `user` (default `TEST_USER`). */
  client(index: number, user?: User | null): Promise<GraphQLClient>;
  /**
   * Stops (or finds dead) a replica and starts it again on its port, with its environment plus
   * `overrides`; resolves once it is live, or has died (one armed with a failpoint may die at once).
   */
  restart(label: string, overrides?: ServiceEnv): Promise<void>;
  stop(): Promise<Array<number | null>>;
}

const origin = (port: number) => `http://127.0.0.1:${port}`;

const isLive = (at: string) =>
  fetch(`${at}/health/live`, { signal: AbortSignal.timeout(1000) }).then(
    (response) => response.ok,
    () => false,
  );

/** The JSON log entries of every process of one service (all its replicas, before and after restarts). */
export function serviceLogEntries(
  stack: Pick<ReplicaStack, 'logs'>,
  name: ServiceName,
): Array<Record<string, unknown>> {
  return jsonLines(stack.logs.filter((line) => line.startsWith(`[${name}#`)));
}

async function slotsOf(counts: ReplicaCounts): Promise<Array<{ name: ServiceName; label: string; port: number }>> {
  const names = (['recipes', 'comments', 'gateway'] as const).flatMap((name) =>
    Array.from({ length: counts[name] }, (_, index) => ({ name, label: `${name}#${index + 1}` })),
  );
  return Promise.all(names.map(async (slot) => ({ ...slot, port: await freePort() })));
}

interface SharedEnv {
  common: ServiceEnv;
  extraEnv: StackEnv;
  databaseUrls: Record<Subgraph, string>;
  amqpPrefix: string;
  balancers: Record<Subgraph, RoundRobinProxy>;
}

/** A gateway's variables point it at the balancers; a subgraph replica's at its database and, through a proxy of its own, RabbitMQ. */
async function slotEnv(
  slot: { name: ServiceName; port: number },
  shared: SharedEnv,
): Promise<{ env: ServiceEnv; brokerLink?: TcpProxy }> {
  const env = { ...shared.common, PORT: String(slot.port), ...shared.extraEnv[slot.name] };
  if (slot.name === 'gateway') {
    const { recipes, comments } = shared.balancers;
    return { env: { ...env, RECIPES_URL: recipes.url('/graphql'), COMMENTS_URL: comments.url('/graphql') } };
  }
  const brokerLink = await startTcpProxy(Number(new URL(testAmqpUrl()).port || 5672));
  const database = { DATABASE_URL: shared.databaseUrls[slot.name], AMQP_PREFIX: shared.amqpPrefix };
  return { env: { ...env, ...database, AMQP_URL: brokerLink.url(testAmqpUrl()) }, brokerLink };
}

/**
 * Several processes of each service over the same two throwaway databases and one broker
 * prefix, as a scaled-out deployment runs them: every subgraph replica has its own port and
 * its own (cuttable) link to RabbitMQ, a round-robin balancer stands for each subgraph, and
 * every gateway is pointed at the balancers (`RECIPES_URL`, `COMMENTS_URL`). Each subgraph
 * replica applies the migrations at start, as in production, so they race for the lock.
 */
export async function startReplicaStack({
  counts = { recipes: 2, comments: 2, gateway: 2 },
  env: extraEnv = {},
  firstStart = {},
}: ReplicaStackOptions = {}): Promise<ReplicaStack> {
  const databases: TestDatabase[] = await Promise.all([createTestDatabase('recipes'), createTestDatabase('comments')]);
  const [recipesDb, commentsDb] = databases as [TestDatabase, TestDatabase];
  const slots = await slotsOf(counts);
  const portsOf = (name: Subgraph) => slots.filter((slot) => slot.name === name).map((slot) => slot.port);
  const balancers = {
    recipes: await startRoundRobinProxy(portsOf('recipes')),
    comments: await startRoundRobinProxy(portsOf('comments')),
  };
  const amqpPrefix = uniqueAmqpPrefix();
  const identities = testIdentityProvider();
  const shared: SharedEnv = {
    common: { HOST: '127.0.0.1', LOG_LEVEL: 'info', AUTH_DEV_FILE: identities.devFile },
    extraEnv,
    databaseUrls: { recipes: recipesDb.url, comments: commentsDb.url },
    amqpPrefix,
    balancers,
  };
  const { databaseUrls } = shared;
  const logs: string[] = [];
  const envs = new Map<string, ServiceEnv>();
  const replicas: Replica[] = [];
  for (const slot of slots) {
    const { env, brokerLink } = await slotEnv(slot, shared);
    envs.set(slot.label, env);
    const collect = (_name: ServiceName, line: string) => void logs.push(`[${slot.label}] ${line}`);
    const replica = { label: slot.label, name: slot.name, origin: origin(slot.port), brokerLink };
    replicas.push({ ...replica, process: spawnService(slot.name, { ...env, ...firstStart[slot.label] }, collect) });
  }
  const gatewayUrls = replicas.filter((r) => r.name === 'gateway').map((r) => `${r.origin}/graphql`);
  const forget = [
    ...gatewayUrls.map((url) => signInAt(url, identities)),
    actAsGatewayFor(balancers.recipes.url('/graphql'), identities.internalSecret, 'recipes'),
    actAsGatewayFor(balancers.comments.url('/graphql'), identities.internalSecret, 'comments'),
  ];
  const replica = (label: string) => {
    const found = replicas.find((candidate) => candidate.label === label);
    if (!found) throw new Error(`no replica ${label}`);
    return found;
  };

  const stop = async () => {
    for (const undo of forget) undo();
    for (const { brokerLink } of replicas) brokerLink?.restore();
    const codes = await stopInOrder(replicas.map((r) => r.process));
    await Promise.all(
      [...Object.values(balancers), ...replicas.flatMap((r) => r.brokerLink ?? [])].map((p) => p.close()),
    );
    await Promise.all(databases.map((database) => database.drop()));
    await deleteBrokerTopology(amqpPrefix);
    identities.remove();
    return codes;
  };
  const restart = async (label: string, overrides: ServiceEnv = {}) => {
    const target = replica(label);
    if (!hasExited(target.process)) await stopService(target.process);
    const collect = (_name: ServiceName, line: string) => void logs.push(`[${label}] ${line}`);
    const running = spawnService(target.name, { ...envs.get(label)!, ...overrides }, collect);
    target.process = running;
    await waitFor(async () => (hasExited(running) || (await isLive(target.origin)) ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: `${label} to be live`,
    });
  };
  try {
    await Promise.all(replicas.map((r) => waitForReady(`${r.origin}/health/ready`, 90_000)));
  } catch (error) {
    await stop();
    throw new Error(`the replica stack did not become ready: ${(error as Error).message}\n${logs.join('\n')}`, {
      cause: error,
    });
  }
  return {
    gatewayUrls,
    balancers,
    databaseUrls,
    amqpPrefix,
    identities,
    logs,
    replicas,
    replica,
    client: async (index: number, user: User | null = TEST_USER) =>
      createClient({ url: gatewayUrls[index]!, headers: user ? await identities.bearer(user) : {} }),
    restart,
    stop,
  };
}

/**
 * One replica stack for the calling test file, as `useStack` is one stack: started in
 * `beforeAll`, stopped in `afterAll`, where every process must exit 0 (a failure shows the logs).
 */
export function useReplicaStack(options: ReplicaStackOptions = {}): ReplicaStack {
  const stack = {} as ReplicaStack;
  let started = false;
  beforeAll(async () => {
    Object.assign(stack, await startReplicaStack(options));
    started = true;
  });
  afterAll(async () => {
    if (!started) return;
    const codes = await stack.stop();
    expect(codes, stack.logs.join('\n')).toEqual(stack.replicas.map(() => 0));
  });
  return stack;
}
