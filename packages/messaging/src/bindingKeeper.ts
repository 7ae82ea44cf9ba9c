import type { Channel } from 'amqplib';
import type { Logger } from 'pino';
import { brokerReason, isReply, NOT_FOUND } from './amqpReplies.js';
import type { Broker } from './broker.js';

/** How often a queue is bound again to (or checked against) the exchanges it reads from another service. */
export const BINDING_CHECK_MS = 30_000;

export interface BindingKeeperOptions {
  broker: Broker;
  /** Binds the queue again (idempotent), or only checks the exchanges are there; throws NOT_FOUND for one gone. */
  check: (channel: Channel) => Promise<void>;
  logger: Logger;
  intervalMs?: number;
  /**
   * Given, it only watches: once an exchange is found gone it stays missing until the next
   * `start` (an attach that bound), and this is told. For a reader that must not bind again by
   * itself: the gateway's stream would take events before the consumers' queues are bound
   * again, and the producer's mandatory publish would count them as routed.
   */
  onMissing?: (reason: string) => void;
}

/**
 * Keeps a queue bound to exchanges another service owns. An exchange that is deleted and
 * declared again (an operator recreating it, its producer's next publish) comes back without
 * the bindings to it, and nothing tells the queue's owner: its events would reach no queue of
 * it until a restart. So every `intervalMs` it binds again (idempotent: a short-lived channel
 * and a few binds), or, with `onMissing`, only checks; `missing` says which exchange is gone.
 */
export class BindingKeeper {
  /** Why the last check failed (an exchange gone), for readiness; undefined while bound. */
  missing: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly options: BindingKeeperOptions) {}

  /** Just bound at an attach: nothing is missing, and checking starts (once; again changes nothing). */
  start(): void {
    this.missing = undefined;
    this.timer ??= setInterval(() => void this.check(), this.options.intervalMs ?? BINDING_CHECK_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Binds (or checks) again now; a broker that is down is left to the reconnect, which binds anyway. */
  async check(): Promise<void> {
    const { broker, logger, onMissing } = this.options;
    if (broker.closed) return this.stop();
    if (this.checking || (onMissing && this.missing)) return;
    this.checking = true;
    try {
      const checked = await broker.withChannel(async (channel) => {
        await this.options.check(channel);
        return true;
      });
      if (checked && this.missing) logger.info('the exchanges it reads are there and bound again');
      if (checked) this.missing = undefined;
    } catch (error) {
      const reason = brokerReason(error);
      if (!isReply(error, NOT_FOUND) || !reason.startsWith('no exchange')) {
        logger.warn({ err: error }, 'could not check the bindings');
      } else if (!this.missing) {
        logger.warn({ err: error }, 'an exchange it reads is gone');
        this.missing = reason;
        onMissing?.(reason);
      }
    } finally {
      this.checking = false;
    }
  }
}
