import {
  amqpUser,
  Broker,
  countParkedOn,
  createFailpoints,
  consumerTopology,
  declareExchange,
  exchangeName,
  InboxConsumer,
  OutboxRelay,
  Publisher,
  type EventHandlers,
  type InboxTransaction,
} from '@potluck/messaging';
import { z } from 'zod';
import { envVar } from './config.js';
import type { Logger } from './logger.js';
import { eventSyncGauges, messagingMetrics } from './metrics/eventMetrics.js';
import type { ServiceMetrics } from './metrics/serviceMetrics.js';
import type { ReadinessCheck } from './readiness.js';

/** The event-sync variables every subgraph reads. */
export const eventSyncEnv = {
  AMQP_URL: envVar.url(['amqp', 'amqps']),
  AMQP_PREFIX: envVar.amqpPrefix(),
  AMQP_PREFETCH: z.coerce.number().int().min(1).max(1000).default(100),
  EVENT_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  EVENT_RETRY_DELAY_MS: envVar.milliseconds(1000),
  /** Larger message bodies are parked as `too-large` unread. */
  EVENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(256 * 1024),
  EVENT_DELIVERY_LIMIT: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * The RabbitMQ users whose events the consumer applies (the producer's login, checked
   * against each message's broker-validated `userId`); unset: the service's own login.
   */
  EVENT_PUBLISHERS: envVar.list().pipe(z.array(z.string()).min(1, 'must name at least one RabbitMQ user')).optional(),
  OUTBOX_POLL_MS: envVar.milliseconds(1000),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  OUTBOX_MAX_AGE_MS: envVar.milliseconds(30_000),
  MESSAGE_RETENTION_MS: envVar.milliseconds(7 * 24 * 3600 * 1000),
  FAILPOINTS: envVar.list().default([]),
};

export type EventSyncConfig = z.infer<z.ZodObject<typeof eventSyncEnv>> & { DATABASE_URL: string };

/**
 * Whose events a subgraph's consumer applies: `EVENT_PUBLISHERS`, or else the service's own
 * RabbitMQ user, which on one broker login (guest, locally) is also the producer's.
 */
export function trustedPublishers(config: Pick<EventSyncConfig, 'AMQP_URL' | 'EVENT_PUBLISHERS'>): string[] {
  return config.EVENT_PUBLISHERS ?? [amqpUser(config.AMQP_URL)];
}

/** What a subgraph declares about the events it consumes. */
export interface SubgraphEvents<Tx extends InboxTransaction> {
  /** The service whose exchange this subgraph's queue binds to. */
  consumesFrom: string;
  /** One handler per consumed event type; the queue is bound to exactly these types. */
  handlers: EventHandlers<Tx>;
}

export interface RunningEventSync {
  readinessChecks: ReadinessCheck[];
  relay: OutboxRelay;
  /** Stops consuming (finishing the message in hand), lets the relay finish its confirms, closes the broker. */
  stop(): Promise<void>;
}

/** Wires one subgraph's broker connection, outbox relay and inbox consumer, and their readiness. */
export async function startEventSync<Tx extends InboxTransaction>(options: {
  service: string;
  config: EventSyncConfig;
  /** Runs work in one database transaction, e.g. `(work) => prisma.$transaction(work)`. */
  transaction: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
  events: SubgraphEvents<Tx>;
  logger: Logger;
  /** Where the event counters and gauges go; none when left out. */
  metrics?: ServiceMetrics;
}): Promise<RunningEventSync> {
  const { service, config, events, logger, metrics } = options;
  const observer = metrics && messagingMetrics(metrics.registry);
  const failpoint = createFailpoints(config.FAILPOINTS, (name) => logger.fatal({ failpoint: name }, 'failpoint hit'));
  const broker = new Broker({ url: config.AMQP_URL, logger });
  const exchange = exchangeName(config.AMQP_PREFIX, service);
  const publisher = new Publisher(broker, (channel) => declareExchange(channel, exchange));
  const relay = new OutboxRelay({
    databaseUrl: config.DATABASE_URL,
    broker,
    publisher,
    exchange,
    appId: service,
    logger,
    failpoint,
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollIntervalMs: config.OUTBOX_POLL_MS,
    retentionMs: config.MESSAGE_RETENTION_MS,
    observer,
  });
  const topology = consumerTopology({
    prefix: config.AMQP_PREFIX,
    consumer: service,
    producer: events.consumesFrom,
    deliveryLimit: config.EVENT_DELIVERY_LIMIT,
  });
  const consumer = new InboxConsumer<Tx>({
    broker,
    topology,
    transaction: options.transaction,
    handlers: events.handlers,
    publishers: trustedPublishers(config),
    logger,
    failpoint,
    prefetch: config.AMQP_PREFETCH,
    batchSize: config.EVENT_BATCH_SIZE,
    maxAttempts: config.EVENT_MAX_ATTEMPTS,
    retryBaseDelayMs: config.EVENT_RETRY_DELAY_MS,
    maxBodyBytes: config.EVENT_MAX_BYTES,
    observer,
  });
  if (metrics) {
    eventSyncGauges(
      metrics.registry,
      {
        outboxStats: () => relay.stats(),
        outboxMaxAgeMs: config.OUTBOX_MAX_AGE_MS,
        brokerConnected: () => broker.connected,
        consumerRunning: () => consumer.running,
        parkedCount: () => countParkedOn(broker, topology),
        onBrokerConnect: (listener) => void broker.onConnect(listener),
      },
      logger,
    );
  }
  await broker.start();
  await relay.start();
  const readinessChecks: ReadinessCheck[] = [
    { name: 'broker', check: async () => assert(broker.connected, 'not connected to RabbitMQ') },
    { name: 'consumer', check: async () => assert(consumer.running, `not consuming ${events.consumesFrom} events`) },
    {
      name: 'outbox',
      check: async () => {
        const { backlog, oldestAgeMs } = await relay.stats();
        const ageMs = Math.round(oldestAgeMs);
        assert(
          oldestAgeMs <= config.OUTBOX_MAX_AGE_MS,
          `oldest of ${backlog} unsent events is ${ageMs} ms old (bound ${config.OUTBOX_MAX_AGE_MS} ms)`,
        );
        return { backlog, oldestAgeMs: ageMs, maxAgeMs: config.OUTBOX_MAX_AGE_MS };
      },
    },
  ];
  return {
    readinessChecks,
    relay,
    async stop() {
      await consumer.stop();
      await relay.stop();
      await broker.close();
    },
  };
}

function assert(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}
