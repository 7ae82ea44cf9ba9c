import type { Logger } from 'pino';
import { brokerReason, isReply, PRECONDITION_FAILED } from './amqpReplies.js';
import { RecheckDelay } from './awaitedExchanges.js';

/** What to do about a queue declared with another value of an argument, by argument (`x-delivery-limit`, say). */
export type QueueRemedies = Readonly<Record<string, string>>;

const DECLARED_ELSEWHERE =
  'the queue was declared elsewhere with other settings (RabbitMQ cannot change them: only deleting it, and what it holds, can)';

/**
 * A queue found declared with other arguments than this service's (by a deployment's
 * definitions, or before its configuration changed): RabbitMQ refuses the declaration, and no
 * reconnect mends that. Holds what to tell the operator, the remedy for the argument at fault,
 * and when to look again.
 */
export class QueueConflict {
  /** What readiness says while it lasts. */
  message: string | undefined;
  private readonly recheck = new RecheckDelay();

  constructor(
    private readonly logger: Logger,
    private readonly remedies: QueueRemedies,
  ) {}

  /** Takes a failed declaration: the wait before the next look when it was such a refusal, else undefined. */
  refused(error: unknown): number | undefined {
    if (!isReply(error, PRECONDITION_FAILED)) return undefined;
    const reason = brokerReason(error);
    const argument = /inequivalent arg '([^']+)'/.exec(reason)?.[1] ?? '';
    if (!this.message) this.logger.error({ err: error }, 'queue declared with other arguments');
    const remedy = this.remedies[argument] ?? DECLARED_ELSEWHERE;
    this.message = `a queue exists with other arguments than this service declares (${reason}): ${remedy}`;
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
