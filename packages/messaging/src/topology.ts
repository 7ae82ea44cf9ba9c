import { isReply, NOT_FOUND } from './amqpReplies.js';
import type { Channel, ChannelModel } from 'amqplib';
import type { EventType } from './contract/index.js';

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
  /** Redeliveries (crashes mid-handling) after which the broker dead-letters to parking. */
  deliveryLimit: number;
}

/**
 * The one rule for a broker name prefix (`AMQP_PREFIX`): it starts every exchange and queue
 * name, so it may not be empty, hold spaces, run past what RabbitMQ accepts as a name, or make
 * the names start with `amq.`, which RabbitMQ reserves (refusing them as ACCESS_REFUSED, which
 * no permission mends).
 */
export const AMQP_PREFIX_PATTERN = /^(?!amq(?:\.|$))[A-Za-z0-9][\w.-]{0,99}$/;
/** What a prefix must be, for error messages (completes "AMQP prefix … "). */
export const AMQP_PREFIX_RULE =
  'must be 1–100 letters, digits, ".", "_" or "-", and not "amq" or start with "amq." (RabbitMQ reserves those names)';

/** The three queues a consumer owns under one prefix. */
export type ConsumerQueues = Pick<ConsumerTopology, 'workQueue' | 'retryQueue' | 'parkingQueue'>;

/** Name makers for everything Potluck declares under one prefix. */
export interface BrokerNames {
  /** The producer's durable topic exchange: `<prefix>.<producer>.events`. */
  exchange(producer: string): string;
  /** The consumer's queues: `<prefix>.<consumer>.work`, `.retry` and `.parked`. */
  queues(consumer: string): ConsumerQueues;
}

/** Derives every broker name from a prefix (checked against `AMQP_PREFIX_PATTERN`; throws otherwise). */
export function brokerNames(prefix: string): BrokerNames {
  if (!AMQP_PREFIX_PATTERN.test(prefix)) throw new Error(`AMQP prefix "${prefix}" ${AMQP_PREFIX_RULE}`);
  return {
    exchange: (producer) => `${prefix}.${producer}.events`,
    queues: (consumer) => ({
      workQueue: `${prefix}.${consumer}.work`,
      retryQueue: `${prefix}.${consumer}.retry`,
      parkingQueue: `${prefix}.${consumer}.parked`,
    }),
  };
}

/** A RabbitMQ user's permissions on the vhost: regular expressions over resource names. */
export interface BrokerPermissions {
  configure: string;
  write: string;
  read: string;
}

/** A permission pattern (`rabbitmqctl set_permissions`) matching exactly these names (a prefix's only regex metacharacter is `.`). */
export function exactly(names: readonly string[]): string {
  return `^(${names.map((name) => name.replaceAll('.', '[.]')).join('|')})$`;
}

/**
 * The least a service's own RabbitMQ user needs to run its relay, consumer and parked
 * commands: declare (configure) its exchange and its queues; publish (write) to its exchange
 * and to the default exchange, through which copies reach its retry and parking queues (which
 * also binds and dead-letters); read (consume, bind from) its queues and the producer's
 * exchange. It may not configure the producer's exchange, which would let it delete it: its
 * consumer only checks that the exchange is there (`missingExchanges`) and waits for it.
 * Nothing of the other service's: it cannot publish as the other's exchange or read its
 * queues. What it writes through the default exchange still carries its own validated
 * `userId`, so the consumers' trust check holds for that too.
 */
export function brokerPermissions(prefix: string, service: string, producer: string): BrokerPermissions {
  const names = brokerNames(prefix);
  const { workQueue, retryQueue, parkingQueue } = names.queues(service);
  return {
    configure: exactly([names.exchange(service), workQueue, retryQueue, parkingQueue]),
    write: exactly([names.exchange(service), workQueue, 'amq.default']),
    read: exactly([workQueue, retryQueue, parkingQueue, names.exchange(producer)]),
  };
}

export function exchangeName(prefix: string, producer: string): string {
  return brokerNames(prefix).exchange(producer);
}

export function consumerTopology(options: {
  prefix: string;
  consumer: string;
  producer: string;
  deliveryLimit: number;
}): ConsumerTopology {
  const names = brokerNames(options.prefix);
  return {
    exchange: names.exchange(options.producer),
    ...names.queues(options.consumer),
    deliveryLimit: options.deliveryLimit,
  };
}

/** Declares a producer's own events exchange: only its producer does (the others may not configure it). */
export async function declareExchange(channel: Channel, exchange: string): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true });
}

/**
 * Which of `exchanges` do not exist yet, asked passively (which needs no `configure`
 * permission) on a channel of its own each, since a missing one closes the channel it is asked
 * on. Any other failure (the connection going away) throws.
 */
export async function missingExchanges(connection: ChannelModel, exchanges: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const exchange of exchanges) {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    try {
      await channel.checkExchange(exchange);
      await channel.close();
    } catch (error) {
      if (!isReply(error, NOT_FOUND)) throw error;
      missing.push(exchange);
    }
  }
  return missing;
}

/** A queue a consumer owns, with the arguments it is always declared with. */
export interface QueueDeclaration {
  name: string;
  arguments: Record<string, string | number>;
}

/**
 * The consumer's three queues and their arguments, in the order they are declared (each
 * dead-letter target first). Whoever declares them (the consumer, or a deployment's broker
 * definitions before it starts) declares exactly these: RabbitMQ refuses a queue redeclared with
 * other arguments. Retry delays travel as per-message expirations, so changing them needs no
 * redeclaration; the delivery limit does.
 */
export function consumerQueueDeclarations(topology: ConsumerTopology): QueueDeclaration[] {
  return [
    { name: topology.parkingQueue, arguments: { 'x-queue-type': 'classic' } },
    {
      name: topology.workQueue,
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': topology.deliveryLimit,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': topology.parkingQueue,
      },
    },
    {
      name: topology.retryQueue,
      arguments: {
        'x-queue-type': 'classic',
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': topology.workQueue,
      },
    },
  ];
}

/**
 * Declares the consumer's queues and binds the work queue to `bindings`, the event types its
 * handler map takes (idempotent), on the producer's exchange, which must exist. Works on
 * RabbitMQ 3.10 and 4.x.
 */
export async function declareConsumerTopology(
  channel: Channel,
  topology: ConsumerTopology,
  bindings: readonly EventType[],
): Promise<void> {
  for (const queue of consumerQueueDeclarations(topology)) {
    await channel.assertQueue(queue.name, { durable: true, arguments: queue.arguments });
  }
  await bindWorkQueue(channel, topology, bindings);
}

/** Binds the work queue to `bindings` on the producer's exchange (idempotent; the exchange must exist). */
export async function bindWorkQueue(
  channel: Channel,
  topology: ConsumerTopology,
  bindings: readonly EventType[],
): Promise<void> {
  for (const routingKey of bindings) {
    await channel.bindQueue(topology.workQueue, topology.exchange, routingKey);
  }
}
