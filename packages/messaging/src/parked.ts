import amqp from 'amqplib';
import type { ConsumerTopology } from './topology.js';

export interface ParkedMessage {
  messageId: string | undefined;
  type: string | undefined;
  reason: string;
  error: string;
  parkedAt: string | undefined;
  attempts: number | undefined;
  body: string;
}

const PARKING_HEADERS = [
  'x-parked-reason',
  'x-parked-error',
  'x-parked-at',
  'x-potluck-attempts',
  'x-potluck-last-error',
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

function describeParked(message: amqp.GetMessage): ParkedMessage {
  const headers = message.properties.headers ?? {};
  const firstDeath = headers['x-first-death-reason'] as string | undefined;
  return {
    messageId: message.properties.messageId as string | undefined,
    type: message.properties.type as string | undefined,
    // Messages the broker dead-lettered itself (delivery limit) carry its reason instead of ours.
    reason: (headers['x-parked-reason'] as string | undefined) ?? `broker: ${firstDeath ?? 'unknown'}`,
    error: (headers['x-parked-error'] as string | undefined) ?? '',
    parkedAt: headers['x-parked-at'] as string | undefined,
    attempts: headers['x-potluck-attempts'] as number | undefined,
    body: message.content.toString('utf8'),
  };
}

/**
 * Lists what is parked without removing it: takes every message unacknowledged, then
 * closes the channel so the broker puts them all back in order.
 */
export async function listParked(url: string, topology: ConsumerTopology): Promise<ParkedMessage[]> {
  return withChannel(url, async (channel) => {
    const { messageCount } = await channel.checkQueue(topology.parkingQueue);
    const parked: ParkedMessage[] = [];
    for (let index = 0; index < messageCount; index += 1) {
      const message = await channel.get(topology.parkingQueue, { noAck: false });
      if (!message) break;
      parked.push(describeParked(message));
    }
    return parked;
  });
}

/**
 * Deletes the parked message with this id, every copy of it (a redelivered duplicate can be
 * parked twice), after an operator has read it and decided it can never be applied. Takes the
 * others unacknowledged, so closing the channel puts them back in order. Resolves with how
 * many were deleted: 0 when no parked message has that id.
 */
export async function discardParked(url: string, topology: ConsumerTopology, messageId: string): Promise<number> {
  return withChannel(url, async (channel) => {
    const { messageCount } = await channel.checkQueue(topology.parkingQueue);
    let discarded = 0;
    for (let index = 0; index < messageCount; index += 1) {
      const message = await channel.get(topology.parkingQueue, { noAck: false });
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
 */
export async function requeueParked(url: string, topology: ConsumerTopology): Promise<number> {
  return withChannel(url, async (channel) => {
    const { messageCount } = await channel.checkQueue(topology.parkingQueue);
    let moved = 0;
    while (moved < messageCount) {
      const message = await channel.get(topology.parkingQueue, { noAck: false });
      if (!message) return moved;
      const headers = Object.fromEntries(
        Object.entries(message.properties.headers ?? {}).filter(([name]) => !PARKING_HEADERS.includes(name)),
      );
      channel.sendToQueue(topology.workQueue, message.content, { ...message.properties, headers, persistent: true });
      await channel.waitForConfirms();
      channel.ack(message);
      moved += 1;
    }
    return moved;
  });
}
