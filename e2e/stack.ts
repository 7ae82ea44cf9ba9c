import { afterAll, beforeAll, expect } from 'vitest';
import { createClient, type GraphQLClient } from '@potluck/client';
import { createGatewayCredentialSigner, GATEWAY_CREDENTIAL_HEADER, type User } from '@potluck/identity';
import {
  createTestDatabase,
  deleteBrokerTopology,
  actAsGatewayFor,
  freePort,
  signInAt,
  startTcpProxy,
  TEST_USER,
  testAmqpUrl,
  testIdentityProvider,
  uniqueAmqpPrefix,
  type TcpProxy,
  type TestDatabase,
  type TestIdentityProvider,
} from '@potluck/testing';
import {
  spawnService,
  stopInOrder,
  stopService,
  waitForHttpOk,
  waitForReady,
  type ServiceName,
  type ServiceProcess,
} from '../scripts/stack.js';

type ServiceEnv = Record<string, string>;
/** Variables added to (or overriding) each service's environment. */
export type StackEnv = Partial<Record<ServiceName, ServiceEnv>>;

export interface TestStack {
  gatewayUrl: string;
  recipesUrl: string;
  commentsUrl: string;
  databaseUrls: { recipes: string; comments: string };
  amqpPrefix: string;
  /** The stack's own development identity provider: its services trust its key, and only its key. */
  identities: TestIdentityProvider;
  /** The header the gateway sends a subgraph, for a test that calls the subgraph over raw HTTP. */
  gatewayCredential(subgraph: 'recipes' | 'comments', user?: User | null): Promise<Record<string, string>>;
  /** A typed client of the gateway, signed in as `user` (default `TEST_USER`), or anonymous with null. */
  client(user?: User | null): Promise<GraphQLClient>;
  /** Every line the services printed, prefixed with their name: shown when a test fails. */
  logs: string[];
  /** The processes running now (a restart replaces an entry). */
  processes: ServiceProcess[];
  service(name: ServiceName): ServiceProcess;
  /** Stops (or finds dead) a service and starts it again with its environment plus `overrides`. */
  restart(name: ServiceName, overrides?: ServiceEnv): Promise<void>;
  stop(): Promise<Array<number | null>>;
}

/**
 * The whole stack as `npm start` runs it, as separate processes on free ports, over
 * throwaway databases, a unique broker prefix and development keys of its own. Each service
 * applies its migrations at start, as in production. `extraEnv` adds or overrides variables
 * per service.
 */
export async function startStack(extraEnv: StackEnv = {}): Promise<TestStack> {
  const databases: TestDatabase[] = await Promise.all([createTestDatabase('recipes'), createTestDatabase('comments')]);
  const [recipesDb, commentsDb] = databases as [TestDatabase, TestDatabase];
  const [gatewayPort, recipesPort, commentsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const origin = (port: number) => `http://127.0.0.1:${port}`;
  const recipesUrl = `${origin(recipesPort)}/graphql`;
  const commentsUrl = `${origin(commentsPort)}/graphql`;
  const amqpPrefix = uniqueAmqpPrefix();
  const identities = testIdentityProvider();
  const common = { HOST: '127.0.0.1', LOG_LEVEL: 'info', AUTH_DEV_FILE: identities.devFile };
  const messaging = { AMQP_URL: testAmqpUrl(), AMQP_PREFIX: amqpPrefix };
  const env: Record<ServiceName, ServiceEnv> = {
    recipes: { ...common, ...messaging, PORT: String(recipesPort), DATABASE_URL: recipesDb.url, ...extraEnv.recipes },
    comments: {
      ...common,
      ...messaging,
      PORT: String(commentsPort),
      DATABASE_URL: commentsDb.url,
      ...extraEnv.comments,
    },
    gateway: {
      ...common,
      PORT: String(gatewayPort),
      RECIPES_URL: recipesUrl,
      COMMENTS_URL: commentsUrl,
      ...extraEnv.gateway,
    },
  };
  const ports: Record<ServiceName, number> = { recipes: recipesPort, comments: commentsPort, gateway: gatewayPort };
  const logs: string[] = [];
  const collect = (name: ServiceName, line: string) => void logs.push(`[${name}] ${line}`);
  const processes = (['recipes', 'comments', 'gateway'] as const).map((name) => spawnService(name, env[name], collect));
  const service = (name: ServiceName) => processes.find((candidate) => candidate.name === name)!;

  // Tests' `graphqlRequest`s are signed in as TEST_USER unless they say otherwise, at the gateway
  // with a token, at a subgraph with a gateway credential (as the gateway would send them).
  const credentials = createGatewayCredentialSigner(identities.internalSecret);
  const forget = [
    signInAt(`${origin(gatewayPort)}/graphql`, identities),
    actAsGatewayFor(recipesUrl, identities.internalSecret, 'recipes'),
    actAsGatewayFor(commentsUrl, identities.internalSecret, 'comments'),
  ];
  const stop = async () => {
    for (const undo of forget) undo();
    const codes = await stopInOrder(processes);
    await Promise.all(databases.map((database) => database.drop()));
    await deleteBrokerTopology(amqpPrefix);
    identities.remove();
    return codes;
  };
  const restart = async (name: ServiceName, overrides: ServiceEnv = {}) => {
    const index = processes.indexOf(service(name));
    await stopService(processes[index]!);
    processes[index] = spawnService(name, { ...env[name], ...overrides }, collect);
    await waitForHttpOk(`${origin(ports[name])}/health/live`, 60_000);
  };
  try {
    await waitForReady(`${origin(gatewayPort)}/health/ready`, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`the stack did not become ready: ${(error as Error).message}\n${logs.join('\n')}`, {
      cause: error,
    });
  }
  const gatewayUrl = `${origin(gatewayPort)}/graphql`;
  return {
    gatewayUrl,
    recipesUrl,
    commentsUrl,
    databaseUrls: { recipes: recipesDb.url, comments: commentsDb.url },
    amqpPrefix,
    identities,
    gatewayCredential: async (subgraph: 'recipes' | 'comments', user: User | null = TEST_USER) => ({
      [GATEWAY_CREDENTIAL_HEADER]: await credentials.credentialFor(subgraph, user),
    }),
    client: async (user: User | null = TEST_USER) =>
      createClient({ url: gatewayUrl, headers: user ? await identities.bearer(user) : {} }),
    logs,
    processes,
    service,
    restart,
    stop,
  };
}

/**
 * One stack for the calling test file: started in `beforeAll`, stopped in `afterAll`, where
 * every service must exit 0 (a failure shows their logs). The object returned is filled in
 * when the stack starts, so read it in hooks and tests, not at the top of the file.
 * `extraEnv` may be a function, for values an earlier `beforeAll` makes (a proxy's address);
 * vitest runs `afterAll` hooks in reverse, so what was set up before the stack outlives it.
 */
export function useStack(extraEnv: StackEnv | (() => StackEnv) = {}): TestStack {
  const stack = {} as TestStack;
  let started = false;
  beforeAll(async () => {
    Object.assign(stack, await startStack(typeof extraEnv === 'function' ? extraEnv() : extraEnv));
    started = true;
  });
  afterAll(async () => {
    if (!started) return;
    const codes = await stack.stop();
    expect(codes, stack.logs.join('\n')).toEqual([0, 0, 0]);
  });
  return stack;
}

/**
 * `useStack` on a broker prefix of the file's own (deleted after it), whose gateway reaches
 * RabbitMQ through a TCP proxy the tests can cut or hold: for what follows the event stream
 * (subscriptions, the entity cache). `brokerLink` is that proxy, filled in before the stack starts.
 */
export function useStackWithGatewayBrokerLink(gatewayEnv: ServiceEnv = {}): {
  stack: TestStack;
  prefix: string;
  brokerLink: TcpProxy;
} {
  const prefix = uniqueAmqpPrefix();
  const brokerLink = {} as TcpProxy;
  beforeAll(async () => {
    Object.assign(brokerLink, await startTcpProxy(Number(new URL(testAmqpUrl()).port || 5672)));
  });
  afterAll(async () => {
    await brokerLink.close?.();
    await deleteBrokerTopology(prefix);
  });
  const stack = useStack(() => ({
    recipes: { AMQP_PREFIX: prefix },
    comments: { AMQP_PREFIX: prefix },
    gateway: { AMQP_URL: brokerLink.url(testAmqpUrl()), AMQP_PREFIX: prefix, ...gatewayEnv },
  }));
  return { stack, prefix, brokerLink };
}

/**
 * Another gateway over `stack`'s subgraphs, identities and the broker prefix `prefix` (a
 * second instance, as a scaled-out deployment runs), with its log lines in `stack.logs`
 * behind `label`; resolves once it reports `ready` (its event stream attached). Stop it with `stopService`.
 */
export async function startAnotherGateway(
  stack: TestStack,
  prefix: string,
  label: string,
  env: ServiceEnv = {},
): Promise<{ url: string; service: ServiceProcess }> {
  const port = await freePort();
  const service = spawnService(
    'gateway',
    {
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      AUTH_DEV_FILE: stack.identities.devFile,
      RECIPES_URL: stack.recipesUrl,
      COMMENTS_URL: stack.commentsUrl,
      AMQP_URL: testAmqpUrl(),
      AMQP_PREFIX: prefix,
      ...env,
    },
    (_name, line) => void stack.logs.push(`[${label}] ${line}`),
  );
  // `ready`, not just 200: a gateway still attaching to the event stream answers `degraded`.
  await waitForReady(`http://127.0.0.1:${port}/health/ready`, 60_000);
  return { url: `http://127.0.0.1:${port}/graphql`, service };
}
