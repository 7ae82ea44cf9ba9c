import type { Logger } from 'pino';
import { ACCESS_REFUSED, brokerReason, isReply, PRECONDITION_FAILED } from './amqpReplies.js';
import { RecheckDelay } from './awaitedExchanges.js';

/** What to do about a queue or exchange declared with another value of an argument, by argument (`x-delivery-limit`, say). */
export type ArgumentRemedies = Readonly<Record<string, string>>;

const DECLARED_ELSEWHERE =
  'it was declared elsewhere with other settings (RabbitMQ cannot change them: only deleting it, and what it holds, can)';

export interface DeclarationRefusedOptions {
  logger: Logger;
  /** The RabbitMQ user it declares as, named in a refusal of access. */
  user: string;
  /** Where the permissions that user needs are listed (a docs page), named in a refusal of access. */
  permissions: string;
  /** By argument, the remedy for a declaration refused for another value of it; none by default. */
  remedies?: ArgumentRemedies;
}

/**
 * A declaration the broker refuses for something only an operator can mend: a queue (or an
 * exchange) declared with other arguments than this service's (by a deployment's definitions, or before its
 * configuration changed), or a RabbitMQ user whose permissions do not cover it. No reconnect
 * mends either. Holds what to tell the operator, the remedy, and when to look again.
 */
export class DeclarationRefused {
  /** What readiness says while it lasts. */
  message: string | undefined;
  private readonly recheck = new RecheckDelay();

  constructor(private readonly options: DeclarationRefusedOptions) {}

  /** Takes a failed declaration: the wait before the next look when it was such a refusal, else undefined. */
  refused(error: unknown): number | undefined {
    const message = this.describe(error);
    if (message === undefined) return undefined;
    if (!this.message) this.options.logger.error({ err: error }, 'the broker refused a declaration');
    this.message = message;
    return this.recheck.next();
  }

  /** The declaration went through: whatever refusal there was is over. */
  resolved(): void {
    if (this.message) this.options.logger.info('the broker takes the declarations now');
    this.clear();
  }

  /** Forgets the refusal without a look (stopped, or waiting for something else first). */
  clear(): void {
    this.message = undefined;
    this.recheck.reset();
  }

  private describe(error: unknown): string | undefined {
    const reason = brokerReason(error);
    if (isReply(error, ACCESS_REFUSED)) {
      const { user, permissions } = this.options;
      return `the broker refused the RabbitMQ user ${user} (${reason}): grant it the permissions ${permissions} lists, or set AMQP_PREFIX to the prefix they were granted for`;
    }
    if (!isReply(error, PRECONDITION_FAILED)) return undefined;
    const argument = /inequivalent arg '([^']+)'/.exec(reason)?.[1] ?? '';
    const remedy = this.options.remedies?.[argument] ?? DECLARED_ELSEWHERE;
    return `it exists with other arguments than this service declares (${reason}): ${remedy}`;
  }
}
