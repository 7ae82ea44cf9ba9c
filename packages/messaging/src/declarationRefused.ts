import type { Logger } from 'pino';
import { ACCESS_REFUSED, brokerReason, isReply, PRECONDITION_FAILED } from './amqpReplies.js';
import { RecheckDelay } from './awaitedExchanges.js';

/** What to do about a queue or exchange declared with another value of an argument, by argument (`x-delivery-limit`, say). */
export type ArgumentRemedies = Readonly<Record<string, string>>;

const DECLARED_ELSEWHERE =
  'it was declared elsewhere with other settings (RabbitMQ cannot change them: only deleting it, with what a queue holds, can)';

export interface DeclarationRefusedOptions {
  logger: Logger;
  /** Where the permissions its RabbitMQ user needs are listed (a docs page), named in a refusal of access. */
  permissions: string;
  /** By argument, the remedy for a declaration refused for another value of it; none by default. */
  remedies?: ArgumentRemedies;
}

/**
 * A declaration, the consume after it or a publish that the broker refuses for something only
 * an operator can mend: a queue or exchange declared with other arguments than this service's (by a
 * deployment's definitions, or before its configuration changed), or a RabbitMQ user whose
 * permissions do not cover it. No reconnect mends either. Holds what to tell the operator,
 * the remedy, and when to look again; the log (once) names the user, readiness does not.
 */
export class DeclarationRefused {
  /** What readiness says while it lasts. */
  message: string | undefined;
  private readonly recheck = new RecheckDelay();

  constructor(private readonly options: DeclarationRefusedOptions) {}

  /** Takes a failed declaration, consume or publish: the wait before the next look when it was such a refusal, else undefined. */
  refused(error: unknown): number | undefined {
    const message = this.describe(error);
    if (message === undefined) return undefined;
    if (!this.message)
      this.options.logger.error({ err: error }, 'the broker refused this service (until an operator mends it)');
    this.message = message;
    return this.recheck.next();
  }

  /** What was refused went through: whatever refusal there was is over. */
  resolved(): void {
    // Called on every confirmed publish: nothing to do unless something was refused.
    if (!this.message) return;
    this.options.logger.info('the broker no longer refuses this service');
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
      // Readiness is public: the user's name stays in the log.
      const refused = reason.replace(/ refused for user '[^']*'/, ' refused');
      return `the broker refused this service's RabbitMQ user (${refused}): grant it the permissions ${this.options.permissions} lists, for the AMQP_PREFIX every service shares`;
    }
    if (!isReply(error, PRECONDITION_FAILED)) return undefined;
    const argument = /inequivalent arg '([^']+)'/.exec(reason)?.[1];
    if (argument === undefined) return `the broker refused a declaration (${reason})`;
    const remedy = this.options.remedies?.[argument] ?? DECLARED_ELSEWHERE;
    return `it exists with other arguments than this service declares (${reason}): ${remedy}`;
  }
}
