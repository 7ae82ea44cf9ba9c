import type amqp from 'amqplib';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Logger } from 'pino';
import type { EventType, ValidEvent } from '@potluck/messaging';
import { declareEventExchanges, deleteBrokerTopology, testAmqpUrl, uniqueAmqpPrefix, waitFor } from '@potluck/testing';
import {
  Broker,
  InboxConsumer,
  amqpUser,
  consumerTopology,
  type ConsumerOptions,
  type EventHandlers,
} from '../src/index.js';
import {
  noFailpoints,
  openTestChannel,
  openTestPool,
  pgTransactions,
  recipeEvent,
  silent,
  type PgTransaction,
  type TestChannel,
} from './support.js';

/** The recipe events a test consumer binds. */
export const BINDINGS: readonly EventType[] = ['recipe.created', 'recipe.updated'];

/** A messaging database for one test file, with an `applied` table where the test handler records each event. */
export async function openInboxDatabase() {
  const { url, pool, close } = await openTestPool();
  await pool.query('CREATE TABLE applied (event_id uuid)');
  return {
    url,
    pool,
    close,
    async appliedCount(eventId: string): Promise<number> {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM applied WHERE event_id = $1', [eventId]);
      return rows[0].n;
    },
    /** How many times each of these events was applied; one never applied is missing. */
    async appliedCounts(eventIds: string[]): Promise<Map<string, number>> {
      const { rows } = await pool.query<{ id: string; n: number }>(
        'SELECT event_id::text AS id, count(*)::int AS n FROM applied WHERE event_id = ANY($1::uuid[]) GROUP BY 1',
        [eventIds],
      );
      return new Map(rows.map((row) => [row.id, row.n]));
    },
  };
}

export type InboxDatabase = Awaited<ReturnType<typeof openInboxDatabase>>;

type Limits = 'maxAttempts' | 'retryBaseDelayMs' | 'retryMaxDelayMs' | 'maxBodyBytes' | 'observer' | 'bindingCheckMs';

export interface TestConsumerOptions
  extends Pick<ConsumerOptions<PgTransaction>, Limits>, Partial<Pick<ConsumerOptions<PgTransaction>, 'publishers'>> {
  /** What the handler does with an event (in its transaction) before recording it as applied; throwing fails the handling. */
  behaviour: (event: ValidEvent, tx: PgTransaction) => void | Promise<void>;
  /** For the broker and the consumer; silent by default. */
  logger?: Logger;
  /** Where the consumer's broker connects (another login, say); the test broker by default. */
  brokerUrl?: string;
  /** Its broker prefix, one a test chose for it (`stop` still removes it); a fresh one by default. */
  prefix?: string;
  /** Declare the producer's exchange first, as the producer does when it starts (true by default). */
  declareExchange?: boolean;
  /** Its work queue's `x-delivery-limit` (`EVENT_DELIVERY_LIMIT`); 5 by default. */
  deliveryLimit?: number;
}

function createConsumer(database: InboxDatabase, options: TestConsumerOptions) {
  const { behaviour, logger = silent, brokerUrl = testAmqpUrl(), declareExchange = true, ...rest } = options;
  const { publishers = [amqpUser(testAmqpUrl())], prefix = uniqueAmqpPrefix(), deliveryLimit = 5, ...limits } = rest;
  const topology = consumerTopology({ prefix, consumer: 'comments', producer: 'recipes', deliveryLimit });
  const apply = async (event: ValidEvent, tx: PgTransaction) => {
    await behaviour(event, tx);
    await tx.query('INSERT INTO applied VALUES ($1)', [event.id]);
  };
  const handlers: EventHandlers<PgTransaction> = Object.fromEntries(BINDINGS.map((type) => [type, apply]));
  const broker = new Broker({ url: brokerUrl, logger });
  const consumer = new InboxConsumer({
    broker,
    topology,
    transaction: pgTransactions(database.pool),
    handlers,
    publishers,
    logger,
    failpoint: noFailpoints,
    ...limits,
  });
  return { prefix, topology, broker, consumer, declareExchange };
}

/**
 * An inbox consumer on a broker prefix of its own, started as the comments service starts it,
 * with a plain channel for publishing to its exchange. `stop` removes all it declared.
 */
export async function startTestConsumer(database: InboxDatabase, options: TestConsumerOptions) {
  const { prefix, topology, broker, consumer, declareExchange } = createConsumer(database, options);
  let connects = 0;
  let disconnects = 0;
  broker.onConnect(() => (connects += 1));
  broker.onDisconnect(() => (disconnects += 1));
  let test: TestChannel | undefined;
  const stop = async () => {
    await consumer.stop();
    await broker.close();
    await test?.close();
    await deleteBrokerTopology(prefix);
  };
  try {
    if (declareExchange) await declareEventExchanges(prefix);
    await broker.start();
    if (declareExchange) {
      await waitFor(() => (consumer.running ? true : undefined), { what: 'the consumer to start' });
    }
    test = await openTestChannel();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    prefix,
    topology,
    broker,
    consumer,
    test,
    stop,
    /** Broker connections made so far: more than one means something reset the connection. */
    get connects() {
      return connects;
    },
    /** Connections lost or reset so far (a reset whose reconnect then fails never counts in `connects`). */
    get disconnects() {
      return disconnects;
    },
    ...probes(database, test, topology.exchange),
  };
}

function probes(database: InboxDatabase, test: TestChannel, exchange: string) {
  const { appliedCount } = database;
  const waitApplied = (eventId: string) =>
    waitFor(async () => ((await appliedCount(eventId)) > 0 ? true : undefined), { what: `event ${eventId} applied` });
  /** Publishes to the consumer's exchange as any publisher could (see `openTestChannel`). */
  const publish = (routingKey: string, body: unknown, messageId?: string, properties?: amqp.Options.Publish) =>
    test.publish(exchange, routingKey, body, messageId, properties);
  return {
    appliedCount,
    waitApplied,
    publish,
    /** Publishes a new recipe.created and waits until the consumer applied it: it consumes. */
    async publishAndWaitApplied(): Promise<void> {
      const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
      await publish(event.type, event, event.id);
      await waitApplied(event.id);
    },
  };
}

export type TestConsumer = Awaited<ReturnType<typeof startTestConsumer>>;

/**
 * For a test file: one inbox database, and before each test a fresh consumer (stopped after
 * it) whose handler does what `consumer.behaviour` says, nothing until a test sets it.
 */
export function useTestConsumer(options: Omit<TestConsumerOptions, 'behaviour'>) {
  const consumer = {
    database: undefined as unknown as InboxDatabase,
    run: undefined as unknown as TestConsumer,
    behaviour: (() => undefined) as TestConsumerOptions['behaviour'],
  };
  beforeAll(async () => {
    consumer.database = await openInboxDatabase();
  });
  afterAll(() => consumer.database.close());
  beforeEach(async () => {
    consumer.behaviour = () => undefined;
    consumer.run = await startTestConsumer(consumer.database, {
      ...options,
      behaviour: (event, tx) => consumer.behaviour(event, tx),
    });
  });
  afterEach(() => consumer.run.stop());
  return consumer;
}
