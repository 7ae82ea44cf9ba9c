import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Broker } from './broker.js';
import { InboxConsumer } from './consumer.js';
import { createFailpoints } from './failpoints.js';
import type { EventHandlers } from './handlers.js';
import type { InboxTransaction } from './inbox.js';
import { eventSyncGauges, messagingMetrics } from './metrics.js';
import { countParkedOn } from './parked.js';
import { Publisher } from './publisher.js';
import { amqpUser } from './publisherTrust.js';
import { OutboxRelay } from './relay.js';
import { consumerTopology, declareExchange, exchangeName } from './topology.js';

/** What `startEventSync` needs to know; a subgraph reads it from its environment (`@potluck/service`). */
export interface EventSyncSettings {
  DATABASE_URL: string;
  AMQP_URL: string;
  AMQP_PREFIX: string;
  AMQP_PREFETCH: number;
  EVENT_BATCH_SIZE: number;
  EVENT_MAX_ATTEMPTS: number;
  EVENT_RETRY_DELAY_MS: number;
  EVENT_MAX_BYTES: number;
  EVENT_DELIVERY_LIMIT: number;
  EVENT_PUBLISHERS?: string[] | undefined;
  OUTBOX_POLL_MS: number;
  OUTBOX_BATCH_SIZE: number;
  OUTBOX_BATCHES_IN_FLIGHT: number;
  OUTBOX_MAX_AGE_MS: number;
  MESSAGE_RETENTION_MS: number;
  FAILPOINTS: string[];
}

/** A dependency the service's readiness reports (the shape `@potluck/service` checks). */
export interface EventSyncCheck {
  name: string;
  /** Always false here: a service keeps serving while its events wait (reported as degraded). */
  required: false;
  check(): Promise<void | Record<string, unknown>>;
}

/**
 * Whose events a subgraph's consumer applies: `EVENT_PUBLISHERS`, or else the service's own
 * RabbitMQ user, which on one broker login (guest, locally) is also the producer's.
 */
export function trustedPublishers(config: Pick<EventSyncSettings, 'AMQP_URL' | 'EVENT_PUBLISHERS'>): string[] {
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
  readinessChecks: EventSyncCheck[];
  relay: OutboxRelay;
  /** Stops consuming (finishing the message in hand), lets the relay finish its confirms, closes the broker. */
  stop(): Promise<void>;
}

/** Wires one subgraph's broker connection, outbox relay and inbox consumer, and their readiness. */
export async function startEventSync<Tx extends InboxTransaction>(options: {
  service: string;
  config: EventSyncSettings;
  /** Runs work in one database transaction, e.g. `(work) => prisma.$transaction(work)`. */
  transaction: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
  events: SubgraphEvents<Tx>;
  logger: Logger;
  /** Where the event counters and gauges go; none when left out. */
  metricsRegistry?: Registry;
}): Promise<RunningEventSync> {
  const { service, config, events, logger, metricsRegistry } = options;
  const observer = metricsRegistry && messagingMetrics(metricsRegistry);
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
    batchesInFlight: config.OUTBOX_BATCHES_IN_FLIGHT,
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
  if (metricsRegistry) {
    eventSyncGauges(
      metricsRegistry,
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
  const readinessChecks: EventSyncCheck[] = [
    { name: 'broker', required: false, check: async () => assert(broker.connected, 'not connected to RabbitMQ') },
    {
      name: 'consumer',
      required: false,
      check: async () => {
        const why = consumer.problem ? `: ${consumer.problem}` : '';
        // Running with a problem: its producer's exchange is gone, so nothing reaches its queue.
        assert(consumer.running && !consumer.problem, `not consuming ${events.consumesFrom} events${why}`);
      },
    },
    {
      name: 'publisher',
      required: false,
      check: async () => assert(!publisher.problem, `not publishing events: ${publisher.problem}`),
    },
    {
      name: 'outbox',
      required: false,
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
