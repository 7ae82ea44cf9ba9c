import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import amqp from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  amqpUser,
  Broker,
  brokerNames,
  brokerPermissions,
  DEFAULT_DELIVERY_LIMIT,
  eventTopologyDefinitions,
  listParked,
  requeueParked,
} from '@potluck/messaging';
import { createLogger } from '@potluck/service';
import {
  brokerAdmin,
  commentEventFixture,
  declareEventExchanges,
  deleteBrokerTopology,
  randomName,
  recipeEventFixture,
  uniqueAmqpPrefix,
  urlAs,
  waitFor,
} from '@potluck/testing';
import { loadConfig as loadGatewayConfig, subscriptionBrokerOf } from '../../gateway/src/config.js';
import type { StreamEntry } from '../../gateway/src/subscriptions/streamMessages.js';
import { StreamReader } from '../../gateway/src/subscriptions/streamReader.js';
import { gatewayBrokerPermissions, streamNames } from '../../gateway/src/subscriptions/streamTopology.js';
import {
  openInboxDatabase,
  startTestConsumer,
  type InboxDatabase,
  type TestConsumer,
} from '../../packages/messaging/test/consumerHarness.js';
import { commitToOutbox, startTestRelay } from '../../packages/messaging/test/relayHarness.js';
import { environmentOf, loadCompose, REPO_ROOT } from './stackFiles.js';

/**
 * The broker users docker-compose.yml's RabbitMQ loads (docker/rabbitmq/definitions.sh), made
 * on this machine's broker under a prefix and user names of this run's own, then used by the
 * real relay, consumer and parked commands and the gateway's stream reader: what each service
 * needs works, the rest is refused.
 */
interface Definitions {
  users: Array<{ name: string; password: string; tags: string[] }>;
  permissions: Array<{ user: string; vhost: string; configure: string; write: string; read: string }>;
  exchanges: Array<Record<string, unknown>>;
  queues: Array<Record<string, unknown>>;
  bindings: Array<Record<string, unknown>>;
}

const prefix = uniqueAmqpPrefix();
const names = brokerNames(prefix);
const secret = () => randomBytes(12).toString('hex');
const env = {
  AMQP_PREFIX: prefix,
  BROKER_ADMIN_USER: randomName('potluck-test-admin'),
  BROKER_ADMIN_PASSWORD: secret(),
  RECIPES_AMQP_PASSWORD: secret(),
  COMMENTS_AMQP_PASSWORD: secret(),
  GATEWAY_AMQP_PASSWORD: secret(),
};
/** The compose user names, renamed for this run so no broker user is shared with anything else. */
const login = {
  recipes: randomName('potluck-test-recipes'),
  comments: randomName('potluck-test-comments'),
  gateway: randomName('potluck-test-gateway'),
};
type Service = keyof typeof login;
const passwords: Record<Service, string> = {
  recipes: env.RECIPES_AMQP_PASSWORD,
  comments: env.COMMENTS_AMQP_PASSWORD,
  gateway: env.GATEWAY_AMQP_PASSWORD,
};
const logger = createLogger('rabbitmq-users-test', 'silent');

function generateDefinitions(vars: Record<string, string>): Definitions {
  const script = path.join(REPO_ROOT, 'docker/rabbitmq/definitions.sh');
  const env = { PATH: process.env.PATH, ...vars };
  return JSON.parse(execFileSync('sh', [script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

const definitions = generateDefinitions(env);
const rename = (user: string) => login[user as Service] ?? user;
const url = (user: Service | 'admin') =>
  user === 'admin' ? urlAs(env.BROKER_ADMIN_USER, env.BROKER_ADMIN_PASSWORD) : urlAs(login[user], passwords[user]);

async function canLogIn(user: Service | 'admin'): Promise<boolean> {
  try {
    await (await amqp.connect(url(user))).close();
    return true;
  } catch {
    return false;
  }
}

let database: InboxDatabase;
let run: TestConsumer | undefined;
let gateway: GatewayReader | undefined;

/** Loads the definitions (renamed for this run) as the compose broker does at its start. */
async function importDefinitions(): Promise<void> {
  const renamed = {
    ...definitions,
    users: definitions.users.map((user) => ({ ...user, name: rename(user.name) })),
    permissions: definitions.permissions.map((permission) => ({ ...permission, user: rename(permission.user) })),
  };
  await brokerAdmin.importDefinitions(renamed);
  // The import may finish asynchronously.
  const imported = async () => {
    for (const user of ['recipes', 'comments', 'gateway', 'admin'] as const) if (!(await canLogIn(user))) return;
    const workQueue = names.queues('comments').workQueue;
    return (await tryAs('comments', (channel) => channel.checkQueue(workQueue))) === 'ok' || undefined;
  };
  await waitFor(imported, { what: 'the imported users and queues' });
}

beforeAll(async () => {
  database = await openInboxDatabase();
  await importDefinitions();
}, 60_000);

afterAll(async () => {
  for (const user of [env.BROKER_ADMIN_USER, ...Object.values(login)])
    await brokerAdmin.deleteUser(user).catch(() => undefined);
  await deleteBrokerTopology(prefix);
  await database?.close();
}, 60_000);

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  await run?.stop();
  run = undefined;
});

/**
 * The comments consumer as compose runs it: logged in as comments, trusting recipes' login.
 * The events exchanges are declared first, as the definitions declare them (the test before
 * may have deleted them), unless `exchangesFromDefinitions` says the import's are still there.
 */
async function startComments(behaviour: (eventId: string) => void = () => undefined, exchangesFromDefinitions = false) {
  run = await startTestConsumer(database, {
    declareExchange: !exchangesFromDefinitions,
    behaviour: (event) => behaviour(event.id),
    brokerUrl: url('comments'),
    publishers: [login.recipes],
    prefix,
    maxAttempts: 2,
    retryBaseDelayMs: 50,
    // The definitions declare its work queue with the services' default, which compose keeps.
    deliveryLimit: DEFAULT_DELIVERY_LIMIT,
  });
  return run;
}

interface GatewayReader {
  /** Every entry the reader handed on: trusted events, and what it skipped with the reason. */
  entries: StreamEntry[];
  stop(): Promise<void>;
}

/**
 * The gateway's live stream reader as compose configures it (gateway/src/config.ts over its
 * login and EVENT_PUBLISHERS, renamed for this run): it declares and binds the stream, writes
 * its mark and reads on. Resolves once it knows its position, which needs all of that (and the
 * events exchanges, declared as `startComments` declares them).
 */
async function startGatewayReader(exchangesFromDefinitions = false): Promise<GatewayReader> {
  const publishers = environmentOf(loadCompose().services.gateway!).EVENT_PUBLISHERS!.split(',').map(rename);
  const config = loadGatewayConfig({
    AMQP_URL: url('gateway'),
    AMQP_PREFIX: prefix,
    EVENT_PUBLISHERS: publishers.join(','),
    // Small, as the gateway's own stream tests: the defaults' gigabytes are for a real deployment.
    SUBSCRIPTION_STREAM_MAX_BYTES: '50000000',
    SUBSCRIPTION_STREAM_SEGMENT_BYTES: '1000000',
  });
  const settings = subscriptionBrokerOf(config)!;
  const broker = new Broker({ url: settings.url, logger });
  const trust = { publishers: settings.publishers, login: amqpUser(settings.url) };
  const names = streamNames(settings.prefix);
  const reader = new StreamReader({ broker, names, retention: settings.retention, trust, logger });
  const entries: StreamEntry[] = [];
  reader.onEntry((entry) => void entries.push(entry));
  gateway = { entries, stop: () => broker.close() };
  if (!exchangesFromDefinitions) await declareEventExchanges(prefix);
  await broker.start();
  expect(await reader.whenPositioned(15_000), reader.problem).toBeTypeOf('number');
  return gateway;
}

/** What the broker answers when `user` tries `attempt` on a channel of its own: 'ok', or the error. */
async function tryAs(user: Service, attempt: (channel: amqp.ConfirmChannel) => Promise<unknown>) {
  const connection = await amqp.connect(url(user));
  connection.on('error', () => undefined);
  let refusal: unknown;
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: unknown) => (refusal = error));
    await attempt(channel);
    return 'ok';
  } catch (error) {
    return String(refusal ?? error);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

function publishTo(exchange: string, body = '{}', userId?: string) {
  return async (channel: amqp.ConfirmChannel) => {
    channel.publish(exchange, 'recipe.created', Buffer.from(body), { messageId: crypto.randomUUID(), userId });
    await channel.waitForConfirms();
  };
}

describe('docker/rabbitmq/definitions.sh', () => {
  it('defines a management login and one user per service with exactly brokerPermissions, and no guest', () => {
    expect(definitions.users).toEqual([
      { name: env.BROKER_ADMIN_USER, password: env.BROKER_ADMIN_PASSWORD, tags: ['administrator'] },
      { name: 'recipes', password: env.RECIPES_AMQP_PASSWORD, tags: [] },
      { name: 'comments', password: env.COMMENTS_AMQP_PASSWORD, tags: [] },
      { name: 'gateway', password: env.GATEWAY_AMQP_PASSWORD, tags: [] },
    ]);
    expect(definitions.permissions).toEqual([
      { user: env.BROKER_ADMIN_USER, vhost: '/', configure: '.*', write: '.*', read: '.*' },
      { user: 'recipes', vhost: '/', ...brokerPermissions(prefix, 'recipes', 'comments') },
      { user: 'comments', vhost: '/', ...brokerPermissions(prefix, 'comments', 'recipes') },
      { user: 'gateway', vhost: '/', ...gatewayBrokerPermissions(prefix) },
    ]);
    const exchange = { vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} };
    expect(definitions.exchanges).toEqual([
      { name: names.exchange('recipes'), ...exchange },
      { name: names.exchange('comments'), ...exchange },
    ]);
  });

  it('declares every consumer’s queues and bindings as the services do, with the delivery limit compose runs them with', () => {
    const { queues, bindings } = eventTopologyDefinitions(prefix, DEFAULT_DELIVERY_LIMIT);
    expect(definitions.queues).toEqual(queues);
    expect(definitions.bindings).toEqual(bindings);
    for (const service of ['recipes', 'comments']) {
      expect(environmentOf(loadCompose().services[service]!).EVENT_DELIVERY_LIMIT, service).toBeUndefined();
    }
  });

  it('gives docker-compose.yml’s services the users they log in as, with its prefix', () => {
    const composed = environmentOf(loadCompose().services.rabbitmq!);
    const { users, permissions } = generateDefinitions(composed);
    expect(users.map(({ name, password }) => ({ name, password }))).toEqual([
      { name: composed.BROKER_ADMIN_USER, password: composed.BROKER_ADMIN_PASSWORD },
      { name: 'recipes', password: composed.RECIPES_AMQP_PASSWORD },
      { name: 'comments', password: composed.COMMENTS_AMQP_PASSWORD },
      { name: 'gateway', password: composed.GATEWAY_AMQP_PASSWORD },
    ]);
    expect(permissions.slice(1)).toEqual([
      { user: 'recipes', vhost: '/', ...brokerPermissions('potluck', 'recipes', 'comments') },
      { user: 'comments', vhost: '/', ...brokerPermissions('potluck', 'comments', 'recipes') },
      { user: 'gateway', vhost: '/', ...gatewayBrokerPermissions('potluck') },
    ]);
  });

  it('refuses a missing password, one that would need escaping, and a service user as the admin', () => {
    const refused = (vars: Record<string, string>) => () => generateDefinitions({ ...env, ...vars });
    expect(refused({ RECIPES_AMQP_PASSWORD: '' })).toThrow();
    expect(refused({ COMMENTS_AMQP_PASSWORD: 'a"b' })).toThrow();
    expect(refused({ GATEWAY_AMQP_PASSWORD: '' })).toThrow();
    expect(refused({ BROKER_ADMIN_USER: 'recipes' })).toThrow();
    expect(refused({ BROKER_ADMIN_USER: 'gateway' })).toThrow();
    expect(refused({ AMQP_PREFIX: 'a b' })).toThrow();
  });
});

describe('the compose broker users, on a real broker', () => {
  // First: what the import declared is still there (each test's consumer deletes its prefix's topology when it stops).
  it('start the comments consumer and the gateway’s stream on the exchanges the definitions declare, no service having run', async () => {
    await startComments(() => undefined, true);
    await waitFor(() => (run!.consumer.running ? true : undefined), { what: 'the consumer running' });
    await startGatewayReader(true);
  });

  it('keep an event the recipes relay publishes before comments first starts, with the gateway’s stream already reading', async () => {
    // The stream's binding makes the relay's mandatory publish count as routed: without the
    // queue the definitions declare, the event would reach the stream and no consumer.
    await importDefinitions(); // again: the test before deleted what it declared
    const { entries } = await startGatewayReader(true);
    const early = recipeEventFixture('recipe.created', crypto.randomUUID(), 1);
    const relay = await startTestRelay({ databaseUrl: database.url, brokerUrl: url('recipes'), prefix });
    try {
      await commitToOutbox(database.pool, [early]);
      const streamed = () => entries.some((entry) => entry.kind === 'event' && entry.event.id === early.id);
      await waitFor(() => (streamed() ? true : undefined), { what: 'the event in the gateway’s stream' });
    } finally {
      await relay.stop();
    }
    await startComments(() => undefined, true);
    await run!.waitApplied(early.id);
  });

  it('let the recipes relay publish and the comments consumer apply, retry and requeue, under their own logins', async () => {
    const event = recipeEventFixture('recipe.created', crypto.randomUUID(), 1);
    const { id } = event;
    let failures = 0;
    let healthy = false;
    await startComments((eventId) => {
      if (eventId !== id || healthy) return;
      failures += 1;
      throw new Error('not yet');
    });
    const relay = await startTestRelay({ databaseUrl: database.url, brokerUrl: url('recipes'), prefix });
    try {
      await commitToOutbox(database.pool, [event]);
      const parked = await waitFor(async () => (await listParked(url('comments'), run!.topology))[0], {
        what: 'the failing event parked',
      });
      expect(parked).toMatchObject({ messageId: id, reason: 'failed 2 times', publisher: login.recipes });
      healthy = true;
      expect(await requeueParked(url('comments'), run!.topology)).toBe(1);
      await run!.waitApplied(id);
    } finally {
      await relay.stop();
    }
    expect(failures).toBe(2);
  });

  it('refuse what is the other service’s: its exchange, its queues', async () => {
    await startComments();
    const recipesQueues = names.queues('recipes');
    expect(await tryAs('comments', publishTo(names.exchange('recipes')))).toMatch(/ACCESS_REFUSED/);
    expect(await tryAs('recipes', publishTo(names.exchange('comments')))).toMatch(/ACCESS_REFUSED/);
    expect(await tryAs('recipes', (channel) => channel.consume(run!.topology.workQueue, () => undefined))).toMatch(
      /ACCESS_REFUSED/,
    );
    expect(await tryAs('recipes', (channel) => channel.get(run!.topology.parkingQueue))).toMatch(/ACCESS_REFUSED/);
    expect(await tryAs('comments', (channel) => channel.assertQueue(recipesQueues.workQueue))).toMatch(
      /ACCESS_REFUSED/,
    );
    expect(await tryAs('comments', (channel) => channel.deleteQueue(recipesQueues.parkingQueue))).toMatch(
      /ACCESS_REFUSED/,
    );
  });

  it('let no service delete or redeclare the exchange it consumes from, only check that it is there', async () => {
    await startComments();
    const [recipes, comments] = [names.exchange('recipes'), names.exchange('comments')];
    expect(await tryAs('comments', (channel) => channel.deleteExchange(recipes))).toMatch(/ACCESS_REFUSED/);
    expect(await tryAs('recipes', (channel) => channel.deleteExchange(comments))).toMatch(/ACCESS_REFUSED/);
    expect(await tryAs('comments', (channel) => channel.assertExchange(recipes, 'topic', { durable: true }))).toMatch(
      /ACCESS_REFUSED/,
    );
    expect(await tryAs('comments', (channel) => channel.checkExchange(recipes))).toBe('ok');
    expect(await tryAs('recipes', (channel) => channel.checkExchange(comments))).toBe('ok');
  });

  it('keep the management login apart: an event it publishes is parked, never applied', async () => {
    await startComments();
    const event = recipeEventFixture('recipe.created', crypto.randomUUID(), 1);
    const connection = await amqp.connect(url('admin'));
    try {
      const channel = await connection.createConfirmChannel();
      const body = Buffer.from(JSON.stringify(event));
      channel.publish(names.exchange('recipes'), event.type, body, {
        messageId: event.id,
        userId: env.BROKER_ADMIN_USER,
      });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    const parked = await waitFor(async () => (await listParked(url('comments'), run!.topology))[0], {
      what: 'the admin’s event parked',
    });
    expect(parked).toMatchObject({ messageId: event.id, reason: 'untrusted-publisher' });
    expect(await run!.appliedCount(event.id)).toBe(0);
  });

  it('let the gateway read into its stream the events the services publish under their logins, each its own types, and only those', async () => {
    const { entries } = await startGatewayReader();
    const recipeEvent = recipeEventFixture('recipe.created', crypto.randomUUID(), 1);
    const commentEvent = commentEventFixture('comment.added', crypto.randomUUID());
    const relay = await startTestRelay({ databaseUrl: database.url, brokerUrl: url('recipes'), prefix });
    try {
      await commitToOutbox(database.pool, [recipeEvent]);
      const comment = publishTo(names.exchange('comments'), JSON.stringify(commentEvent), login.comments);
      expect(await tryAs('comments', comment)).toBe('ok');
      // What the gateway's own login writes into its stream (through the marks exchange) is no event.
      const forged = recipeEventFixture('recipe.created', crypto.randomUUID(), 1);
      const marks = streamNames(prefix).marks;
      expect(await tryAs('gateway', publishTo(marks, JSON.stringify(forged), login.gateway))).toBe('ok');
      // Nor is a comment the recipes login sends through its own exchange, which it may write to.
      const madeUp = commentEventFixture('comment.added', crypto.randomUUID());
      const throughRecipes = publishTo(names.exchange('recipes'), JSON.stringify(madeUp), login.recipes);
      expect(await tryAs('recipes', throughRecipes)).toBe('ok');
      await waitFor(() => (entries.length >= 4 ? true : undefined), { what: 'four stream entries' });
    } finally {
      await relay.stop();
    }
    const events = entries.flatMap((entry) => (entry.kind === 'event' ? [entry.event.id] : []));
    expect(events.sort()).toEqual([recipeEvent.id, commentEvent.id].sort());
    expect(entries.filter((entry) => entry.kind === 'skipped')).toHaveLength(2);
  });

  it('refuse the gateway everything but its stream: publishing events, the services’ queues, other queues', async () => {
    await startComments();
    await startGatewayReader();
    const { workQueue, parkingQueue } = run!.topology;
    const attempts: Record<string, (channel: amqp.ConfirmChannel) => Promise<unknown>> = {
      'publish to recipes’ exchange': publishTo(names.exchange('recipes')),
      'publish to comments’ exchange': publishTo(names.exchange('comments')),
      'publish through the default exchange': publishTo(''),
      'consume a work queue': (channel) => channel.consume(workQueue, () => undefined),
      'read a parking queue': (channel) => channel.get(parkingQueue),
      'purge a work queue': (channel) => channel.purgeQueue(workQueue),
      'declare another queue': (channel) => channel.assertQueue(`${prefix}.gateway.other`),
      'bind a work queue': (channel) => channel.bindQueue(workQueue, names.exchange('comments'), '#'),
      'delete recipes’ exchange': (channel) => channel.deleteExchange(names.exchange('recipes')),
      'delete comments’ exchange': (channel) => channel.deleteExchange(names.exchange('comments')),
      'declare comments’ exchange': (channel) => channel.assertExchange(names.exchange('comments'), 'topic'),
    };
    for (const [what, attempt] of Object.entries(attempts))
      expect(await tryAs('gateway', attempt), what).toMatch(/ACCESS_REFUSED/);
  });
});
