import type { ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import type { Broker, BrokerParticipant } from './broker.js';
import { missingExchanges } from './topology.js';

/**
 * How soon a consumer of events looks again for exchanges that are not there yet, the wait
 * doubling up to `EXCHANGE_RECHECK_MAX_MS`: each look the broker refuses is an error line in its
 * log, so a producer that is never deployed is not asked about twice a second for ever.
 */
export const EXCHANGE_RECHECK_MS = 500;
export const EXCHANGE_RECHECK_MAX_MS = 8000;

/** The waits between looks again at something another party must fix: 0.5 s, doubling to 8 s. */
export class RecheckDelay {
  private delayMs = EXCHANGE_RECHECK_MS;

  /** The wait before the next look; each call doubles the one after. */
  next(): number {
    const delayMs = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, EXCHANGE_RECHECK_MAX_MS);
    return delayMs;
  }

  reset(): void {
    this.delayMs = EXCHANGE_RECHECK_MS;
  }
}

/**
 * Exchanges a participant reads from but may not declare (their producers do, or the broker's
 * definitions): `ready` says whether they are all there, and when not, runs the participant
 * again later on the same connection, so nothing else on it is disturbed.
 * Logs once when it starts waiting and once when the wait ends.
 */
export class AwaitedExchanges {
  /** The exchanges not there at the last look; empty once all are. */
  missing: string[] = [];
  private readonly recheck = new RecheckDelay();

  constructor(
    private readonly broker: Broker,
    private readonly exchanges: readonly string[],
    private readonly logger: Logger,
  ) {}

  async ready(connection: ChannelModel, retry: BrokerParticipant): Promise<boolean> {
    const missing = await missingExchanges(connection, this.exchanges);
    if (missing.length > 0) {
      if (this.missing.length === 0) {
        this.logger.warn({ exchanges: missing }, 'waiting for exchanges their producers declare');
      }
      this.missing = missing;
      this.broker.runLater(connection, retry, this.recheck.next());
      return false;
    }
    this.recheck.reset();
    if (this.missing.length > 0) this.logger.info({ exchanges: this.exchanges }, 'the exchanges are there');
    this.missing = [];
    return true;
  }
}
