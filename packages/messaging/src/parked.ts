import amqp from 'amqplib';
import type { Broker } from './broker.js';
import { LAST_ERROR_HEADER, parkedAttempts, UNTRUSTED_HEADERS } from './failureHistory.js';
import { amqpUser, PUBLISHER_HEADER, publisherOf } from './publisherTrust.js';
import type { ConsumerQueues } from './topology.js';
import { isReply, NOT_FOUND } from './amqpReplies.js';

/** A parked message as read for an operator: header values checked for type and length, the body cut short. */
export interface ParkedMessage {
  messageId: string | undefined;
  type: string | undefined;
  reason: string;
  error: string;
  parkedAt: string | undefined;
  attempts: number | undefined;
  /** Who published it, as the broker vouched (see `publisherOf`, read with the lister's login); undefined: nobody. */
  publisher: string | undefined;
  /** The start of the body, at most `maxBodyBytes` of it, decoded as UTF-8 (not escaped: see `printable`). */
  body: string;
  /** The whole body's size, so a reader knows when `body` is cut short. */
  bodyBytes: number;
}

export interface ListParkedOptions {
  /** At most this many messages are read (50 by default). */
  limit?: number;
  /** Each body is cut to this many bytes (1000 by default). */
  maxBodyBytes?: number;
}

/** Header values longer than this are cut: they come from whoever published the message. */
const MAX_HEADER_CHARS = 1000;

/** Dropped when a message is requeued, so it starts over: our parking notes, and the counts and broker records it carried. */
const REQUEUE_DROPS = [
  'x-parked-reason',
  'x-parked-error',
  'x-parked-at',
  'x-potluck-last-error',
  LAST_ERROR_HEADER,
  ...UNTRUSTED_HEADERS,
];

async function withChannel<T>(url: string, work: (channel: amqp.ConfirmChannel) => Promise<T>): Promise<T> {
  const connection = await amqp.connect(url);
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createConfirmChannel();
    const result = await work(channel);
    // Closing the channel first lets the broker process its acks; closing only the connection can race them.
    await channel.close();
    return result;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.slice(0, MAX_HEADER_CHARS);
  if (Buffer.isBuffer(value)) return value.subarray(0, MAX_HEADER_CHARS).toString('utf8');
  return undefined;
}

function describeParked(message: amqp.GetMessage, maxBodyBytes: number, login: string): ParkedMessage {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  return {
    messageId: text(message.properties.messageId),
    type: text(message.properties.type),
    // Messages the broker dead-lettered itself (delivery limit) carry its reason instead of ours.
    reason: text(headers['x-parked-reason']) ?? `broker: ${text(headers['x-first-death-reason']) ?? 'unknown'}`,
    error: text(headers['x-parked-error']) ?? '',
    parkedAt: text(headers['x-parked-at']),
    attempts: parkedAttempts(headers),
    publisher: text(publisherOf(message.properties, login)),
    body: message.content.subarray(0, maxBodyBytes).toString('utf8'),
    bodyBytes: message.content.length,
  };
}

/**
 * Lists the first `limit` parked messages without removing them: takes them
 * unacknowledged, then closes the channel so the broker puts them all back in order.
 * Memory stays bounded however long the queue is.
 */
export async function listParked(
  url: string,
  queues: ConsumerQueues,
  options: ListParkedOptions = {},
): Promise<ParkedMessage[]> {
  const { limit = 50, maxBodyBytes = 1000 } = options;
  const login = amqpUser(url);
  return withChannel(url, async (channel) => {
    const { messageCount } = await channel.checkQueue(queues.parkingQueue);
    const parked: ParkedMessage[] = [];
    while (parked.length < Math.min(limit, messageCount)) {
      const message = await channel.get(queues.parkingQueue, { noAck: false });
      if (!message) break;
      parked.push(describeParked(message, maxBodyBytes, login));
    }
    return parked;
  });
}

/** How many messages are parked now. */
export async function countParked(url: string, queues: ConsumerQueues): Promise<number> {
  return withChannel(url, async (channel) => (await channel.checkQueue(queues.parkingQueue)).messageCount);
}

/**
 * Messages in the parking queue now, asked over a running service's own connection; undefined
 * while it is down, and none while the queue does not exist yet (a consumer waiting for its
 * producer's exchange has declared nothing), which is no failure for a metrics scrape to log.
 */
export function countParkedOn(broker: Broker, queues: ConsumerQueues): Promise<number | undefined> {
  return broker.withChannel(async (channel) => {
    try {
      return (await channel.checkQueue(queues.parkingQueue)).messageCount;
    } catch (error) {
      if (isReply(error, NOT_FOUND)) return 0;
      throw error;
    }
  });
}

/**
 * Deletes the parked message with this id, every copy of it (a redelivered duplicate can be
 * parked twice), after an operator has read it and decided it can never be applied. Takes the
 * others unacknowledged, so closing the channel puts them back in order. Resolves with how
 * many were deleted: 0 when no parked message has that id.
 */
export async function discardParked(url: string, queues: ConsumerQueues, messageId: string): Promise<number> {
  return withChannel(url, async (channel) => {
    const { messageCount } = await channel.checkQueue(queues.parkingQueue);
    let discarded = 0;
    for (let index = 0; index < messageCount; index += 1) {
      const message = await channel.get(queues.parkingQueue, { noAck: false });
      if (!message) break;
      if (message.properties.messageId !== messageId) continue;
      channel.ack(message);
      discarded += 1;
    }
    return discarded;
  });
}

/**
 * Sends the messages parked now back to the work queue with a fresh attempt count. Takes
 * at most the count seen at the start: one that fails again is re-parked (at the tail)
 * while this runs, and taking it again would loop for as long as the consumer keeps up.
 * Each copy is published under `url`'s login and names the original publisher as the
 * consumer's own copies do (`PUBLISHER_HEADER`), so the consumer's trust check judges the
 * original publisher again: run it with the consumer's own login, and a message parked as
 * `untrusted-publisher` is parked again, never laundered.
 */
export async function requeueParked(url: string, queues: ConsumerQueues): Promise<number> {
  const login = amqpUser(url);
  return withChannel(url, async (channel) => {
    const { messageCount } = await channel.checkQueue(queues.parkingQueue);
    let moved = 0;
    while (moved < messageCount) {
      const message = await channel.get(queues.parkingQueue, { noAck: false });
      if (!message) return moved;
      const headers = Object.fromEntries(
        Object.entries(message.properties.headers ?? {}).filter(([name]) => !REQUEUE_DROPS.includes(name)),
      );
      headers[PUBLISHER_HEADER] = publisherOf(message.properties, login) ?? '';
      const properties = { ...message.properties, userId: login, headers, persistent: true };
      channel.sendToQueue(queues.workQueue, message.content, properties);
      await channel.waitForConfirms();
      channel.ack(message);
      moved += 1;
    }
    return moved;
  });
}
