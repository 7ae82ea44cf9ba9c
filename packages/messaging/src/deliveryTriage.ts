import { context } from '@opentelemetry/api';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { classify } from './classify.js';
import { validateEvent, type EventType, type ValidEvent } from './contract/index.js';
import { failureHistory } from './failureHistory.js';
import { MessageMover, type HeldMessage } from './messageMover.js';
import type { MessagingObserver, ParkReason } from './observer.js';
import { checkPublisher, type PublisherTrust } from './publisherTrust.js';
import { decideFailure } from './retryPolicy.js';
import type { ConsumerTopology } from './topology.js';
import { startConsume, type ConsumeTrace } from './tracing.js';

/** The largest message body a consumer takes by default (256 KiB); larger ones are parked unread. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export interface Delivery {
  channel: ConfirmChannel;
  message: ConsumeMessage;
  /** Arrival in the buffer (ms since the epoch), where its span starts. */
  receivedAt: number;
}

/** A delivery fit for its handler: trusted, within bounds, a valid event of a handled type. */
export interface Admitted extends HeldMessage {
  event: ValidEvent;
  trace: ConsumeTrace;
}

/** The limits a consumer applies to what it is given. */
export interface TriageLimits {
  /** Bodies larger than this are parked as `too-large` without being parsed. */
  maxBodyBytes?: number;
  /** Failed attempts with an unknown error before a message is parked; transient failures never count. */
  maxAttempts?: number;
  retryBaseDelayMs?: number;
  /** The longest delay between two retries (30 s by default): how soon a recovered database is noticed. */
  retryMaxDelayMs?: number;
}

export interface DeliveryTriageOptions extends TriageLimits {
  topology: ConsumerTopology;
  /** The event types the consumer has handlers for: any other is parked. */
  handled: readonly EventType[];
  trust: PublisherTrust;
  /** The consumer's own RabbitMQ login, under which its retry and parking copies are published. */
  login: string;
  logger: Logger;
  observer: MessagingObserver;
}

/**
 * What becomes of a delivery around its handler: admitted, or parked at once when it must not
 * or can never be handled; after a failed handler, retried with delay or parked with its last
 * error (`decideFailure`). Each outcome ends the delivery's span and tells the observer.
 */
export class DeliveryTriage {
  private readonly mover: MessageMover;

  constructor(private readonly options: DeliveryTriageOptions) {
    this.mover = new MessageMover(options.topology, options.logger, options.login);
  }

  /**
   * Parks what must not or can never be handled: from a publisher this consumer does not
   * trust (checked first, before the body is even read), too large, not JSON, a type this
   * consumer does not take, a broken contract.
   */
  async admit(delivery: Delivery): Promise<Admitted | undefined> {
    const { channel, message } = delivery;
    const trust = checkPublisher(message.properties, this.options.trust);
    const queue = this.options.topology.workQueue;
    const trace = startConsume(message, { queue, receivedAt: delivery.receivedAt, trusted: trust.trusted });
    const held: HeldMessage = { channel, message, publisher: trust.publisher };
    const park = (reason: ParkReason, error: unknown, type: unknown) =>
      context.with(trace.context, () => this.park({ ...held, trace }, reason, error, type));
    const claimed: unknown = message.properties.type;
    if (!trust.trusted) return park('untrusted-publisher', new Error(trust.reason), claimed);
    const { maxBodyBytes = DEFAULT_MAX_BODY_BYTES } = this.options;
    if (message.content.length > maxBodyBytes) {
      const error = new Error(`body of ${message.content.length} bytes is over the limit of ${maxBodyBytes}`);
      return park('too-large', error, claimed);
    }
    let body: unknown;
    try {
      body = JSON.parse(message.content.toString('utf8'));
    } catch (error) {
      return park('malformed-json', error, claimed);
    }
    const type = (body as { type?: unknown } | null)?.type;
    if (!this.options.handled.includes(type as EventType)) {
      return park('unknown-type', new Error(`no handler for type ${JSON.stringify(type)?.slice(0, 100)}`), type);
    }
    try {
      return { ...held, trace, event: validateEvent(body) };
    } catch (error) {
      return park('contract-violation', error, type);
    }
  }

  /** Its handler failed: retried later through the retry queue, or parked when it never will work. */
  async failed(held: Admitted, error: unknown): Promise<void> {
    const { message, event } = held;
    const { maxAttempts = 5, retryBaseDelayMs = 1000, retryMaxDelayMs = 30_000, logger, topology } = this.options;
    const kind = classify(error);
    const history = failureHistory(message.properties.headers, topology.retryQueue);
    const decision = decideFailure(kind, history, {
      maxAttempts,
      baseDelayMs: retryBaseDelayMs,
      maxDelayMs: retryMaxDelayMs,
    });
    if (decision.action === 'park') {
      const reason = kind === 'poison' ? 'poison' : 'max-attempts';
      await this.park(held, reason, error, event.type, decision.attempts, decision.reason);
      return;
    }
    const { attempts, retries, delayMs } = decision;
    logger.warn(
      {
        eventId: event.id,
        type: event.type,
        correlationId: event.correlationId,
        kind,
        attempts,
        retries,
        delayMs,
        err: error,
      },
      'handler failed; retrying later',
    );
    const moved = await this.mover.retry(held, decision, error);
    if (moved) this.options.observer.retried(event.type, kind);
    held.trace.end(moved ? 'retried' : 'unsettled', error);
  }

  /** Parks a message and tells the observer; `words` is the reason its header gives, when it says more. */
  private async park(
    held: HeldMessage & { trace: ConsumeTrace },
    reason: ParkReason,
    error: unknown,
    type: unknown,
    attempts?: number,
    words: string = reason,
  ): Promise<undefined> {
    const parked = await this.mover.park(held, words, error, attempts);
    if (parked) this.options.observer.parked(type, reason);
    held.trace.end(parked ? 'parked' : 'unsettled', error);
    return undefined;
  }
}
