import type { ConfirmChannel, ConsumeMessage, MessageProperties, Options } from 'amqplib';
import type { Logger } from 'pino';
import { ATTEMPTS_HEADER, LAST_ERROR_HEADER, RETRIES_HEADER, UNTRUSTED_HEADERS } from './failureHistory.js';
import { PUBLISHER_HEADER } from './publisherTrust.js';
import type { ConsumerTopology } from './topology.js';

/** A delivery in the consumer's hands, with who published it (see `publisherOf`; undefined: nobody vouched for). */
export interface HeldMessage {
  channel: ConfirmChannel;
  message: ConsumeMessage;
  publisher: string | undefined;
}

/**
 * Moves a delivery to the retry or parking queue: publishes a copy, waits for the broker's
 * confirm, then acks the original. The copy keeps the publisher's properties and headers
 * except the untrusted ones (see `UNTRUSTED_HEADERS`), which it replaces with its own. It is
 * published under the consumer's own login (`userId`, which the broker validates), with
 * `PUBLISHER_HEADER` naming the original publisher, so the trust check holds when it comes back.
 */
export class MessageMover {
  constructor(
    private readonly topology: ConsumerTopology,
    private readonly logger: Logger,
    private readonly login: string,
  ) {}

  /** Sends the message through the retry queue, back to the work queue after `delayMs`; false when it stays (see `forward`). */
  async retry(
    held: HeldMessage,
    counts: { attempts: number; retries: number; delayMs: number },
    error: unknown,
  ): Promise<boolean> {
    const headers = {
      [ATTEMPTS_HEADER]: counts.attempts,
      [RETRIES_HEADER]: counts.retries,
      [LAST_ERROR_HEADER]: errorText(error),
    };
    return this.forward(held, this.topology.retryQueue, headers, String(counts.delayMs));
  }

  /** Sends the message to the parking queue with why, for an operator to read and replay; false when it stays. */
  async park(held: HeldMessage, reason: string, error: unknown, attempts?: number): Promise<boolean> {
    const { message } = held;
    const { messageId, correlationId } = message.properties;
    this.logger.error({ reason, messageId, correlationId, err: error }, 'parking message');
    return this.forward(held, this.topology.parkingQueue, {
      'x-parked-reason': reason,
      'x-parked-error': errorText(error),
      'x-parked-at': new Date().toISOString(),
      'x-original-exchange': message.fields.exchange,
      'x-original-routing-key': message.fields.routingKey,
      ...(attempts !== undefined && { [ATTEMPTS_HEADER]: attempts }),
    });
  }

  /**
   * Publishes the copy, confirmed, then acks the original. A copy amqplib cannot encode (a
   * publisher's header it decoded but cannot write back, such as a fractional double over
   * 2^50 or a table over 64 KiB) is sent again with our headers only; should even that
   * fail, the original is rejected, and the work queue's dead-letter route parks it.
   * Resolves false when the message stays where it was, to be redelivered.
   */
  private async forward(
    { channel, message, publisher }: HeldMessage,
    queue: string,
    ours: Record<string, unknown>,
    expiration?: string,
  ): Promise<boolean> {
    const headers = { ...ours, [PUBLISHER_HEADER]: publisher ?? '' };
    const copies = [fullCopy(message.properties, headers), bareCopy(message.properties, headers)];
    const { login: userId } = this;
    try {
      for (const options of copies) {
        if (await this.send(channel, queue, message.content, { ...options, userId, persistent: true, expiration })) {
          settle(() => channel.ack(message));
          return true;
        }
      }
      settle(() => channel.nack(message, false, false));
      return true;
    } catch (error) {
      // Not acked: the broker redelivers it after the channel recovers.
      this.logger.warn({ err: error, queue }, 'could not move message; it will be redelivered');
      return false;
    }
  }

  /** Resolves true once the broker confirms, false when the copy cannot be encoded; rejects when the broker refuses it. */
  private send(channel: ConfirmChannel, queue: string, content: Buffer, options: Options.Publish): Promise<boolean> {
    return new Promise((resolve, reject) => {
      try {
        channel.sendToQueue(queue, content, options, (error) =>
          error ? reject(new Error(String(error))) : resolve(true),
        );
      } catch (error) {
        this.logger.warn({ err: error, queue }, 'could not encode a copy of the message');
        resolve(false);
      }
    });
  }
}

function fullCopy(properties: MessageProperties, headers: Record<string, unknown>): Options.Publish {
  const kept = Object.entries(properties.headers ?? {}).filter(([name]) => !UNTRUSTED_HEADERS.includes(name));
  return { ...properties, headers: { ...Object.fromEntries(kept), ...headers } };
}

/** Only the string properties (short strings the broker sent us, so they encode again) and our headers. */
function bareCopy(properties: MessageProperties, headers: Record<string, unknown>): Options.Publish {
  const { messageId, type, contentType, contentEncoding, correlationId, appId } = properties;
  const strings = Object.entries({ messageId, type, contentType, contentEncoding, correlationId, appId });
  return { ...Object.fromEntries(strings.filter(([, value]) => typeof value === 'string')), headers };
}

/** Acks on a channel that died in the meantime throw; the broker redelivers, the inbox dedupes. */
export function settle(action: () => void): void {
  try {
    action();
  } catch {
    // Intentionally ignored: see above.
  }
}

function errorText(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000);
}
