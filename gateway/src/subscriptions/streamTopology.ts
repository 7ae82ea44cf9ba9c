import type { Channel } from 'amqplib';
import { brokerNames, EVENT_PRODUCERS, exactly, type BrokerPermissions, type EventProducer } from '@potluck/messaging';

/** What the gateway declares on the broker for subscriptions, all derived from the prefix. */
export interface StreamNames {
  /** The stream queue every gateway instance reads: `<prefix>.gateway.stream`. */
  stream: string;
  /** The exchanges bound to it: `<prefix>.recipes.events` and `<prefix>.comments.events`. */
  sources: string[];
  /** The events exchange of one producer: the only one its event types may arrive through. */
  exchangeOf(producer: EventProducer): string;
  /** A fanout exchange only the gateway writes to, for the marks that tell a reader where the stream ends. */
  marks: string;
}

/** The stream's names under a prefix, by the same rule as every other broker name (`brokerNames`). */
export function streamNames(prefix: string): StreamNames {
  const names = brokerNames(prefix);
  return {
    stream: `${prefix}.gateway.stream`,
    sources: EVENT_PRODUCERS.map((producer) => names.exchange(producer)),
    exchangeOf: (producer) => names.exchange(producer),
    marks: `${prefix}.gateway.marks`,
  };
}

/** How long the stream keeps events, as RabbitMQ's stream arguments take it. */
export interface StreamRetention {
  /** `x-max-age`, e.g. `7D` (units Y, M, D, h, m, s). */
  maxAge: string;
  /** `x-max-length-bytes`. */
  maxBytes: number;
  /** `x-stream-max-segment-size-bytes`: retention drops whole segments, so this is its granularity. */
  segmentBytes: number;
}

/**
 * Declares the stream with its retention and binds it to every events exchange (which must
 * exist: the services declare them, `StreamReader` waits for them) and to the marks exchange. Idempotent
 * with the same arguments; a stream declared with other arguments refuses the declaration
 * (PRECONDITION_FAILED), which the reader reports.
 */
export async function declareStream(channel: Channel, names: StreamNames, retention: StreamRetention): Promise<void> {
  await channel.assertQueue(names.stream, {
    durable: true,
    arguments: {
      'x-queue-type': 'stream',
      'x-max-age': retention.maxAge,
      'x-max-length-bytes': retention.maxBytes,
      'x-stream-max-segment-size-bytes': retention.segmentBytes,
    },
  });
  for (const source of names.sources) await channel.bindQueue(names.stream, source, '#');
  await channel.assertExchange(names.marks, 'fanout', { durable: true });
  await channel.bindQueue(names.stream, names.marks, '');
}

/**
 * The least the gateway's RabbitMQ user needs: declare the stream and the marks exchange
 * (configure); bind the stream and publish marks (write); consume the stream and bind from the
 * events exchanges (read). It cannot publish events, nor declare or delete an events exchange.
 */
export function gatewayBrokerPermissions(prefix: string): BrokerPermissions {
  const names = streamNames(prefix);
  return {
    configure: exactly([names.stream, names.marks]),
    write: exactly([names.stream, names.marks]),
    read: exactly([names.stream, names.marks, ...names.sources]),
  };
}
