import type { ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import type { Broker, BrokerParticipant } from './broker.js';
import { missingExchanges } from './topology.js';

/** How often a consumer of events looks again for exchanges that are not there yet. */
export const EXCHANGE_RECHECK_MS = 500;

/**
 * Exchanges a participant reads from but may not declare (their producers do, or the broker's
 * definitions): `ready` says whether they are all there, and when not, runs the participant
 * again after `EXCHANGE_RECHECK_MS` on the same connection, so nothing else on it is disturbed.
 * Logs once when it starts waiting and once when the wait ends.
 */
export class AwaitedExchanges {
  /** The exchanges not there at the last look; empty once all are. */
  missing: string[] = [];

  constructor(
    private readonly broker: Broker,
    private readonly exchanges: readonly string[],
    private readonly logger: Logger,
  ) {}

  async ready(connection: ChannelModel, retry: BrokerParticipant): Promise<boolean> {
    const missing = await missingExchanges(connection, this.exchanges);
    if (missing.length > 0) {
      if (this.missing.length === 0)
        this.logger.warn({ exchanges: missing }, 'waiting for exchanges their producers declare');
      this.missing = missing;
      this.broker.runLater(connection, retry, EXCHANGE_RECHECK_MS);
      return false;
    }
    if (this.missing.length > 0) this.logger.info({ exchanges: this.exchanges }, 'the exchanges are there');
    this.missing = [];
    return true;
  }
}
