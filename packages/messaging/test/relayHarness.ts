import type amqp from 'amqplib';
import type pg from 'pg';
import { appendToOutbox, type EventEnvelope } from '@potluck/messaging';
import {
  deleteBrokerTopology,
  startTcpProxy,
  testAmqpUrl,
  uniqueAmqpPrefix,
  waitFor,
  type TcpProxy,
} from '@potluck/testing';
import {
  Broker,
  OutboxRelay,
  Publisher,
  declareExchange,
  exchangeName,
  type BrokerOptions,
  type RelayOptions,
} from '../src/index.js';
import { noFailpoints, openTestChannel, pgTransactions, silent, type TestChannel } from './support.js';

/** Appends the events to the outbox in one transaction, as the recipes service commits them; returns their ids. */
export async function commitToOutbox(pool: pg.Pool, events: EventEnvelope[]): Promise<string[]> {
  await pgTransactions(pool)(async (tx) => {
    for (const event of events) await appendToOutbox(tx, event);
  });
  return events.map((event) => event.id);
}

export interface TestRelayOptions
  extends
    Pick<RelayOptions, 'pollIntervalMs' | 'observer' | 'batchSize' | 'batchesInFlight'>,
    Pick<BrokerOptions, 'heartbeatSeconds'> {
  databaseUrl: string;
  /** Where the relay's broker connects (a proxy in front of RabbitMQ, say, or another login); the test broker by default. */
  brokerUrl?: string;
  /** The broker prefix to publish under (a test consumer's, say, which it then leaves alone); a fresh one by default. */
  prefix?: string;
  /** The relay's logger; silent by default. The broker's is always silent. */
  logger?: RelayOptions['logger'];
}

/** A message the test's queue received from the relay's exchange. */
export interface Received {
  id: string;
  type: string;
  properties: amqp.MessageProperties;
}

function createRelay(options: TestRelayOptions) {
  const {
    databaseUrl,
    brokerUrl = testAmqpUrl(),
    heartbeatSeconds,
    logger = silent,
    pollIntervalMs,
    observer,
    batchSize,
    batchesInFlight,
  } = options;
  const prefix = options.prefix ?? uniqueAmqpPrefix();
  const exchange = exchangeName(prefix, 'recipes');
  const broker = new Broker({ url: brokerUrl, logger: silent, heartbeatSeconds });
  const publisher = new Publisher(broker, (channel) => declareExchange(channel, exchange));
  const relay = new OutboxRelay({
    ...{ databaseUrl, broker, publisher, exchange, appId: 'recipes' },
    ...{ logger, failpoint: noFailpoints, pollIntervalMs, observer, batchSize, batchesInFlight },
  });
  return { prefix, exchange, broker, relay };
}

/** Binds a queue of the test's to every routing key of the exchange, as a consumer's first start would. */
async function bindQueue(test: TestChannel, exchange: string): Promise<{ queue: string; received: Received[] }> {
  const received: Received[] = [];
  const { queue } = await test.channel.assertQueue('', { exclusive: true });
  await test.channel.bindQueue(queue, exchange, '#');
  const record = (message: amqp.ConsumeMessage | null) => {
    if (!message) return;
    received.push({
      id: message.properties.messageId,
      type: message.fields.routingKey,
      properties: message.properties,
    });
  };
  await test.channel.consume(queue, record, { noAck: true });
  return { queue, received };
}

/**
 * An outbox relay publishing to an exchange on a broker prefix of its own, started as the recipes
 * service starts it, with a plain channel that declared the exchange. `stop` removes all it declared.
 */
export async function startTestRelay(options: TestRelayOptions) {
  const { prefix, exchange, broker, relay } = createRelay(options);
  const test = await openTestChannel();
  const queues: string[] = [];
  const stop = async () => {
    await relay.stop();
    await broker.close();
    for (const queue of queues) await test.channel.deleteQueue(queue);
    await test.close();
    if (options.prefix === undefined) await deleteBrokerTopology(prefix);
  };
  try {
    await declareExchange(test.channel, exchange);
    await broker.start();
    await relay.start();
    await waitFor(() => (broker.connected ? true : undefined), { what: 'the broker connection' });
  } catch (error) {
    await stop();
    throw error;
  }
  /** Binds a queue to every routing key of the exchange, deleted on stop; returns what it receives, as it arrives. */
  const receive = async () => {
    const { queue, received } = await bindQueue(test, exchange);
    queues.push(queue);
    return received;
  };
  return { exchange, broker, relay, test, receive, stop };
}

export type TestRelay = Awaited<ReturnType<typeof startTestRelay>>;

/**
 * A test relay whose broker link runs through a proxy the test can cut or make hold the
 * broker's replies (confirms included). Heartbeats well above how long a test holds them; a
 * slow poll, so prompt delivery proves the LISTEN/NOTIFY wake-up.
 */
export async function startProxiedRelay(
  options: Omit<TestRelayOptions, 'brokerUrl' | 'heartbeatSeconds' | 'pollIntervalMs'>,
): Promise<{ run: TestRelay; proxy: TcpProxy }> {
  const proxy = await startTcpProxy(5672);
  try {
    const run = await startTestRelay({
      ...options,
      brokerUrl: proxy.url(testAmqpUrl()),
      heartbeatSeconds: 10,
      pollIntervalMs: 60_000,
    });
    return { run, proxy };
  } catch (error) {
    await proxy.close();
    throw error;
  }
}
