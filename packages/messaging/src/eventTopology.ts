import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { CONSUMED_BY, EVENT_PRODUCERS, producerFor, type EventConsumer, type EventType } from './contract/index.js';
import {
  brokerNames,
  consumerQueueDeclarations,
  consumerTopology,
  declareConsumerTopology,
  declareExchange,
  type ConsumerTopology,
} from './topology.js';

/** How often the broker hands a message to a consumer that crashes on it before parking it (`EVENT_DELIVERY_LIMIT`). */
export const DEFAULT_DELIVERY_LIMIT = 10;

/** A consumer's queues under one prefix, and the event types its work queue is bound to. */
export interface EventConsumerTopology {
  consumer: EventConsumer;
  topology: ConsumerTopology;
  bindings: readonly EventType[];
}

/** Every consumer's topology under `prefix` (`CONSUMED_BY`), its work queue with `deliveryLimit`. */
export function eventConsumerTopologies(prefix: string, deliveryLimit: number): EventConsumerTopology[] {
  return (Object.keys(CONSUMED_BY) as EventConsumer[]).map((consumer) => ({
    consumer,
    topology: consumerTopology({ prefix, consumer, producer: producerFor(consumer), deliveryLimit }),
    bindings: CONSUMED_BY[consumer],
  }));
}

/**
 * What a deployment's broker definitions declare before any service starts (Compose's, the
 * local Kubernetes overlay's; the production overlay's operator objects say the same): every
 * producer's exchange, so no consumer waits for its producer, and every consumer's queues and
 * bindings, so an event published before its consumer first starts waits in its queue instead
 * of reaching no one. In RabbitMQ's definitions format (vhost `/`).
 */
export function eventTopologyDefinitions(prefix: string, deliveryLimit: number) {
  const consumers = eventConsumerTopologies(prefix, deliveryLimit);
  return {
    exchanges: EVENT_PRODUCERS.map((producer) => ({
      name: brokerNames(prefix).exchange(producer),
      vhost: '/',
      type: 'topic',
      durable: true,
      auto_delete: false,
      internal: false,
      arguments: {},
    })),
    queues: consumers.flatMap(({ topology }) =>
      consumerQueueDeclarations(topology).map((queue) => ({
        name: queue.name,
        vhost: '/',
        durable: true,
        auto_delete: false,
        arguments: queue.arguments,
      })),
    ),
    bindings: consumers.flatMap(({ topology, bindings }) =>
      bindings.map((routingKey) => ({
        source: topology.exchange,
        vhost: '/',
        destination: topology.workQueue,
        destination_type: 'queue',
        routing_key: routingKey,
        arguments: {},
      })),
    ),
  };
}

async function onConnection(url: string, work: (connection: ChannelModel) => Promise<void>): Promise<void> {
  const connection = await amqp.connect(url);
  connection.on('error', () => undefined);
  try {
    await work(connection);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function declareExchanges(channel: Channel, prefix: string): Promise<void> {
  for (const producer of EVENT_PRODUCERS) await declareExchange(channel, brokerNames(prefix).exchange(producer));
}

/**
 * Declares every producer's events exchange under `prefix`, as a deployment's broker
 * definitions do: on a broker without them (tests, benchmarks) every consumer then binds its
 * queue at its first connect, instead of waiting for its producer to declare the exchange.
 */
export async function declareEventExchanges(url: string, prefix: string): Promise<void> {
  await onConnection(url, async (connection) => declareExchanges(await connection.createChannel(), prefix));
}

/**
 * Declares all of `eventTopologyDefinitions` (`npm start` does, with a login that may): the
 * exchanges, and every consumer's queues and bindings with `deliveryLimit`, which must be the
 * services' `EVENT_DELIVERY_LIMIT`. Each consumer's on a channel of its own, so a queue that
 * exists with other arguments (which its consumer reports too) stops only that consumer's;
 * throws afterwards, naming what was refused.
 */
export async function declareEventTopology(url: string, prefix: string, deliveryLimit: number): Promise<void> {
  await onConnection(url, async (connection) => {
    await declareExchanges(await connection.createChannel(), prefix);
    const refused: string[] = [];
    for (const { consumer, topology, bindings } of eventConsumerTopologies(prefix, deliveryLimit)) {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      try {
        await declareConsumerTopology(channel, topology, bindings);
        await channel.close();
      } catch (error) {
        refused.push(`${consumer}'s queues: ${(error as Error).message}`);
      }
    }
    if (refused.length > 0) throw new Error(refused.join('; '));
  });
}
