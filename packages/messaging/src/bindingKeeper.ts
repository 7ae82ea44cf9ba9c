import type { Channel } from 'amqplib';
import type { Logger } from 'pino';
import type { Broker } from './broker.js';

/** How often a queue is bound again to (or checked against) the exchanges it reads from another service. */
export const BINDING_CHECK_MS = 30_000;

/** AMQP's reply code for a resource that does not exist. */
const NOT_FOUND = 404;

export interface BindingKeeperOptions {
  broker: Broker;
  /** Binds the queue again (idempotent), or only checks the exchanges are there; throws NOT_FOUND for one gone. */
  check: (channel: Channel) => Promise<void>;
  logger: Logger;
  intervalMs?: number;
  /**
   * Once an exchange was found gone, stay missing until `reset` (the next attach binds): for a
   * reader that must not bind again by itself (the gateway's stream, which would otherwise take
   * events before the consumers' queues are bound again, and the producer's mandatory publish
   * would count them as routed).
   */
  keepsMissing?: boolean;
  /** Told when an exchange goes missing (with why) and when all are there again (undefined). */
  onChange?: (missing: string | undefined) => void;
}

/**
 * Keeps a queue bound to exchanges another service owns. An exchange that is deleted and
 * declared again (an operator recreating it, its producer's next start) comes back without the
 * bindings to it, and nothing tells the queue's owner: its events would reach no queue of it
 * until a restart. So every `intervalMs` it binds again (idempotent: a short-lived channel and a
 * few binds), or, with `keepsMissing`, only checks; `missing` says which exchange is gone.
 */
export class BindingKeeper {
  /** Why the last check failed (an exchange gone), for readiness; undefined while bound. */
  missing: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly options: BindingKeeperOptions) {}

  /** Starts checking (once bound at a connect); calling it again changes nothing. */
  start(): void {
    this.timer ??= setInterval(() => void this.check(), this.options.intervalMs ?? BINDING_CHECK_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Just bound at an attach: whatever was missing is there again. */
  reset(): void {
    this.missing = undefined;
  }

  /** Binds (or checks) again now; a broker that is down is left to the reconnect, which binds anyway. */
  async check(): Promise<void> {
    const { broker, logger, keepsMissing, onChange } = this.options;
    if (broker.closed) return this.stop();
    if (this.checking || (keepsMissing && this.missing)) return;
    this.checking = true;
    try {
      const checked = await broker.withChannel(async (channel) => {
        await this.options.check(channel);
        return true;
      });
      if (!checked || !this.missing) return;
      logger.info('the exchanges it reads are there and bound again');
      this.missing = undefined;
      onChange?.(undefined);
    } catch (error) {
      const reason = (error as Error).message.replace(/^.*NOT_FOUND - /s, '').replace(/"$/, '');
      if ((error as { code?: unknown }).code !== NOT_FOUND || !reason.startsWith('no exchange')) {
        logger.warn({ err: error }, 'could not check the bindings');
        return;
      }
      if (this.missing) return;
      logger.warn({ err: error }, 'an exchange it reads is gone');
      this.missing = reason;
      onChange?.(reason);
    } finally {
      this.checking = false;
    }
  }
}
