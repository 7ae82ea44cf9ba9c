import { checkPublisher, PRODUCER_OF, validateEvent, type ValidEvent } from '@potluck/messaging';
import type { StreamNames } from './streamTopology.js';

/** A mark's type: a message the gateway itself wrote into the stream to learn where the stream ends. */
export const MARK_TYPE = 'potluck.gateway.mark';

/** Event bodies above this are skipped unread, as the consumers park them. */
export const MAX_EVENT_BYTES = 256 * 1024;

/** One entry of the stream as a reader sees it: every entry has an offset, only some are events. */
export type StreamEntry =
  | { kind: 'event'; offset: number; event: ValidEvent }
  | { kind: 'mark'; offset: number; id: string }
  | { kind: 'skipped'; offset: number; reason: string };

export interface DeliveredMessage {
  content: Buffer;
  /** The exchange it was published to, which RabbitMQ keeps with each stream entry. */
  fields: { exchange: string };
  properties: { userId?: unknown; headers?: unknown; type?: unknown; messageId?: unknown };
}

/** The stream offset RabbitMQ writes on each delivery, or undefined when there is none. */
export function offsetOf(message: DeliveredMessage): number | undefined {
  const value = (message.properties.headers as Record<string, unknown> | undefined)?.['x-stream-offset'];
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function parseBody(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Whose events the gateway believes: the RabbitMQ users that publish them. */
export interface StreamTrust {
  publishers: readonly string[];
}

/** The gateway makes no copies of messages, so no header may vouch for another publisher (see `publisherOf`). */
const NO_COPIES = '\u0000';

/**
 * A gateway's mark, whichever gateway (and broker login) wrote it: it carries no event, so
 * reading past it loses nothing, and only a reader's own ids mean anything to it. A message of
 * the mark's type with anything in it is not a mark: it is read, and judged, as an event.
 */
function isMark({ properties, content }: DeliveredMessage): boolean {
  return properties.type === MARK_TYPE && typeof properties.messageId === 'string' && content.toString('utf8') === '{}';
}

/**
 * What a delivered stream message is: an event a trusted publisher sent that fits the
 * contract, the gateway's own mark, or something skipped with the reason. The same trust as
 * the subgraphs' consumers: the broker-validated `userId` must be one of `trust.publishers`;
 * and since the gateway trusts both services' logins, an event must also have come through
 * its type's producer's exchange (`PRODUCER_OF`), which only that producer may write to: the
 * recipes service cannot pass off a comment.
 */
export function readStreamEntry(
  message: DeliveredMessage,
  offset: number,
  trust: StreamTrust,
  names: Pick<StreamNames, 'exchangeOf'>,
): StreamEntry {
  const { properties } = message;
  if (isMark(message)) return { kind: 'mark', offset, id: message.properties.messageId as string };
  const decision = checkPublisher(properties, { consumer: 'gateway', login: NO_COPIES, publishers: trust.publishers });
  if (!decision.trusted) return { kind: 'skipped', offset, reason: decision.reason };
  if (message.content.length > MAX_EVENT_BYTES) {
    return { kind: 'skipped', offset, reason: `body of ${message.content.length} bytes is over ${MAX_EVENT_BYTES}` };
  }
  let event: ValidEvent;
  try {
    event = validateEvent(parseBody(message.content));
  } catch (error) {
    return { kind: 'skipped', offset, reason: error instanceof Error ? error.message : String(error) };
  }
  const producerExchange = names.exchangeOf(PRODUCER_OF[event.type]);
  if (message.fields.exchange !== producerExchange) {
    const reason = `a ${event.type} event came through ${message.fields.exchange || 'the default exchange'}, not ${producerExchange}`;
    return { kind: 'skipped', offset, reason };
  }
  return { kind: 'event', offset, event };
}
