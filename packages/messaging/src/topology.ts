import type { Channel } from 'amqplib';
import type { EventType } from '@potluck/events';

/**
 * Every broker name Potluck declares, derived from one prefix so that test runs (and
 * several deployments on one broker) never share a queue. There is deliberately no
 * default prefix: callers must choose one.
 */
export interface ConsumerTopology {
  /** The producer's durable topic exchange, e.g. `potluck.recipes.events`. */
  exchange: string;
  /** The consumer's durable quorum work queue, bound to the routing keys it handles. */
  workQueue: string;
  /** Messages wait here for their TTL after a transient failure, then return to the work queue. */
  retryQueue: string;
  /** Messages that can never succeed or failed too often, with the reason in their headers. */
  parkingQueue: string;
  bindings: readonly EventType[];
  /** Redeliveries (crashes mid-handling) after which the broker dead-letters to parking. */
  deliveryLimit: number;
}

function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9][\w.-]{0,99}$/.test(prefix)) {
    throw new Error(`AMQP prefix "${prefix}" must be 1–100 letters, digits, ".", "_" or "-"`);
  }
  return prefix;
}

export function exchangeName(prefix: string, producer: string): string {
  return `${checkPrefix(prefix)}.${producer}.events`;
}

export function consumerTopology(options: {
  prefix: string;
  consumer: string;
  producer: string;
  bindings: readonly EventType[];
  deliveryLimit: number;
}): ConsumerTopology {
  const base = `${checkPrefix(options.prefix)}.${options.consumer}`;
  return {
    exchange: exchangeName(options.prefix, options.producer),
    workQueue: `${base}.work`,
    retryQueue: `${base}.retry`,
    parkingQueue: `${base}.parked`,
    bindings: options.bindings,
    deliveryLimit: options.deliveryLimit,
  };
}

export async function declareExchange(channel: Channel, exchange: string): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true });
}

/**
 * Declares the consumer's queues and bindings (idempotent). Arguments are fixed per
 * queue: retry delays travel as per-message expirations, so changing them needs no
 * redeclaration. Works on RabbitMQ 3.10 and 4.x.
 */
export async function declareConsumerTopology(channel: Channel, topology: ConsumerTopology): Promise<void> {
  await declareExchange(channel, topology.exchange);
  await channel.assertQueue(topology.parkingQueue, { durable: true, arguments: { 'x-queue-type': 'classic' } });
  await channel.assertQueue(topology.workQueue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': topology.deliveryLimit,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': topology.parkingQueue,
    },
  });
  await channel.assertQueue(topology.retryQueue, {
    durable: true,
    arguments: {
      'x-queue-type': 'classic',
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': topology.workQueue,
    },
  });
  for (const routingKey of topology.bindings) {
    await channel.bindQueue(topology.workQueue, topology.exchange, routingKey);
  }
}

/** Removes a consumer's queues and the exchange: for tests and teardown, never for production data. */
export async function deleteConsumerTopology(channel: Channel, topology: ConsumerTopology): Promise<void> {
  for (const queue of [topology.workQueue, topology.retryQueue, topology.parkingQueue]) {
    await channel.deleteQueue(queue);
  }
  await channel.deleteExchange(topology.exchange);
}
