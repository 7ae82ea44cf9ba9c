import type { Channel } from 'amqplib';
import type { Logger } from 'pino';
import type { Broker } from './broker.js';

/** How often a queue is bound again to the exchanges it reads from another service. */
export const BINDING_CHECK_MS = 30_000;

/** AMQP's reply code for a resource that does not exist. */
const NOT_FOUND = 404;

/**
 * Binds a queue again, every `intervalMs`, to exchanges another service owns. An exchange that
 * is deleted and declared again (by its producer's next connect, or an operator recreating it)
 * comes back without the bindings to it, and nothing tells the queue's owner: its events would
 * reach no queue of it until a restart. Binding is idempotent, so this costs a short-lived
 * channel and a few binds; `missing` says which exchange is gone meanwhile.
 */
export class BindingKeeper {
  /** Why the last bind failed (an exchange gone), for readiness; undefined when bound. */
  missing: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly broker: Broker,
    private readonly bind: (channel: Channel) => Promise<void>,
    private readonly logger: Logger,
    private readonly intervalMs = BINDING_CHECK_MS,
    /** Told when an exchange goes missing (with why) and when all are bound again (undefined). */
    private readonly onChange: (missing: string | undefined) => void = () => undefined,
  ) {}

  /** Starts checking (once bound at a connect); calling it again changes nothing. */
  start(): void {
    this.timer ??= setInterval(() => void this.check(), this.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Binds again now; a broker that is down is left to the reconnect, which binds anyway. */
  async check(): Promise<void> {
    if (this.broker.closed) return this.stop();
    try {
      await this.broker.withChannel(this.bind);
    } catch (error) {
      if ((error as { code?: unknown }).code !== NOT_FOUND) {
        this.logger.warn({ err: error }, 'could not check the bindings');
        return;
      }
      if (this.missing) return;
      this.logger.warn({ err: error }, 'an exchange it reads is gone: binding again once it is back');
      this.missing = (error as Error).message.replace(/^.*NOT_FOUND - /s, '').replace(/"$/, '');
      this.onChange(this.missing);
      return;
    }
    if (!this.missing) return;
    this.logger.info('bound again to the exchanges it reads');
    this.missing = undefined;
    this.onChange(undefined);
  }
}
