import type { Logger } from 'pino';
import { RecheckDelay } from './awaitedExchanges.js';

/** AMQP's reply code for a declaration that contradicts what exists (a queue's arguments). */
export const PRECONDITION_FAILED = 406;

/** What an operator can do about a queue declared with another value of `argument`. */
function remedyFor(argument: string | undefined): string {
  const recreate = 'changing the queue means deleting it, and what waits in it, with its consumers stopped';
  if (argument === 'x-delivery-limit') return `set EVENT_DELIVERY_LIMIT to the queue's value (${recreate})`;
  return `the queue was declared elsewhere with other settings (${recreate})`;
}

/**
 * A consumer's queue found declared with other arguments than the consumer's (by a deployment's
 * definitions, or before `EVENT_DELIVERY_LIMIT` changed): RabbitMQ refuses the declaration, and no
 * reconnect mends that. Holds what to tell the operator and when to look again.
 */
export class QueueConflict {
  /** What readiness says while it lasts. */
  message: string | undefined;
  private readonly recheck = new RecheckDelay();

  constructor(private readonly logger: Logger) {}

  /** Takes a failed declaration: the wait before the next look when it was such a refusal, else undefined. */
  refused(error: unknown): number | undefined {
    if ((error as { code?: unknown }).code !== PRECONDITION_FAILED) return undefined;
    const reason = (error as Error).message.replace(/^.*PRECONDITION_FAILED - /s, '').replace(/"$/, '');
    const argument = /inequivalent arg '([^']+)'/.exec(reason)?.[1];
    if (!this.message) this.logger.error({ err: error }, 'queue declared with other arguments');
    this.message = `a queue exists with other arguments than this service declares (${reason}): ${remedyFor(argument)}`;
    return this.recheck.next();
  }

  /** The declaration went through: whatever conflict there was is over. */
  resolved(): void {
    if (this.message) this.logger.info('the queues agree now');
    this.clear();
  }

  /** Forgets the conflict without a look (stopped, or waiting for something else first). */
  clear(): void {
    this.message = undefined;
    this.recheck.reset();
  }
}
