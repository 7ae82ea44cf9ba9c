import { context } from '@opentelemetry/api';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { EventType } from './contract/index.js';
import { keepRefusal } from './amqpReplies.js';
import { AwaitedExchanges } from './awaitedExchanges.js';
import { BindingKeeper } from './bindingKeeper.js';
import type { Broker } from './broker.js';
import { classify } from './classify.js';
import { DeliveryTriage, type Admitted, type Delivery, type TriageLimits } from './deliveryTriage.js';
import { handledTypes, handlerSteps, type EventHandlers } from './handlers.js';
import type { FailpointTrigger } from './failpoints.js';
import { recordBatchInInbox, type InboxTransaction } from './inbox.js';
import { settle } from './messageMover.js';
import { SILENT_OBSERVER, type MessagingObserver } from './observer.js';
import { DeclarationRefused } from './declarationRefused.js';
import { bindWorkQueue, declareConsumerTopology, type ConsumerTopology } from './topology.js';
import { inBatchSpan } from './tracing.js';

/** What to do when the work queue exists with another delivery limit. */
const CONSUMER_QUEUE_REMEDIES = {
  'x-delivery-limit':
    "set EVENT_DELIVERY_LIMIT to the queue's value (changing a queue's arguments means deleting it, and what waits in it, with its consumers stopped)",
};

export interface ConsumerOptions<Tx extends InboxTransaction> extends TriageLimits {
  broker: Broker;
  topology: ConsumerTopology;
  /** Runs work in one database transaction (e.g. `prisma.$transaction`). */
  transaction: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
  /** One handler per consumed event type: the work queue is bound to exactly these types, and any other type is parked. */
  handlers: EventHandlers<Tx>;
  /**
   * The RabbitMQ users whose messages this consumer applies: its producer's login. A message
   * whose broker-validated `userId` is missing or another user's is parked, never applied.
   */
  publishers: readonly string[];
  logger: Logger;
  failpoint: FailpointTrigger;
  prefetch?: number;
  /** Messages applied in one transaction when several are waiting. */
  batchSize?: number;
  /** Told what became of every message (metrics). */
  observer?: MessagingObserver;
  /** How often its queue is bound again to the producer's exchange (`BINDING_CHECK_MS` by default). */
  bindingCheckMs?: number;
}

type Outcome = 'applied' | 'duplicate';

/**
 * Consumes a work queue with manual acks and a bounded prefetch, in arrival order: the
 * inbox inserts and the handler's changes commit together (several waiting messages share
 * one transaction), and the acks follow the commit.
 * Duplicates are acked and skipped. Messages their producer did not publish (by the
 * broker-validated `userId`), oversized, malformed or unknown ones are parked at once; a
 * failing handler is retried with delay (for as long as the failure is transient, such as a
 * database outage), and a message that keeps failing otherwise is parked with its last error
 * (`DeliveryTriage`).
 */
export class InboxConsumer<Tx extends InboxTransaction> {
  private channel: ConfirmChannel | undefined;
  private consumerTag: string | undefined;
  private readonly buffer: Delivery[] = [];
  private draining: Promise<void> | undefined;
  private stopping = false;
  private readonly triage: DeliveryTriage;
  private readonly bindings: readonly EventType[];
  private readonly observer: MessagingObserver;
  private readonly queue: string;
  private readonly producerExchange: AwaitedExchanges;
  private readonly refusal: DeclarationRefused;
  private readonly bindingKeeper: BindingKeeper;

  constructor(private readonly options: ConsumerOptions<Tx>) {
    const login = options.broker.user;
    this.bindings = handledTypes(options.handlers);
    this.observer = options.observer ?? SILENT_OBSERVER;
    this.queue = options.topology.workQueue;
    const { topology, logger, maxBodyBytes, maxAttempts, retryBaseDelayMs, retryMaxDelayMs } = options;
    this.triage = new DeliveryTriage({
      topology,
      logger,
      maxBodyBytes,
      maxAttempts,
      retryBaseDelayMs,
      retryMaxDelayMs,
      handled: this.bindings,
      trust: { consumer: this.queue, login, publishers: options.publishers },
      login,
      observer: this.observer,
    });
    this.producerExchange = new AwaitedExchanges(options.broker, [options.topology.exchange], options.logger);
    this.refusal = new DeclarationRefused({
      logger: options.logger,
      permissions: 'docs/events.md#who-may-publish',
      remedies: CONSUMER_QUEUE_REMEDIES,
    });
    const bind = (channel: Channel) => bindWorkQueue(channel, options.topology, this.bindings);
    this.bindingKeeper = new BindingKeeper({
      broker: options.broker,
      check: bind,
      logger: options.logger,
      intervalMs: options.bindingCheckMs,
    });
    options.broker.use((connection) => this.attach(connection));
  }

  /** Consuming right now: connected, with a live channel and a registered consumer. */
  get running(): boolean {
    return this.consumerTag !== undefined && !this.stopping;
  }

  /** Why it is not consuming, when it knows: its producer's exchange is not there yet, or the broker refuses its queues. */
  get problem(): string | undefined {
    if (this.refusal.message && this.options.broker.connected) return this.refusal.message;
    if (this.bindingKeeper.missing) {
      return `its producer's exchange is gone (${this.bindingKeeper.missing}): binding again once it is declared again`;
    }
    if (this.producerExchange.missing.length === 0) return undefined;
    return `the exchange ${this.options.topology.exchange} does not exist yet (its producer declares it)`;
  }

  /** Stops taking deliveries and waits for the one in hand to be committed and acked. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.refusal.clear();
    this.bindingKeeper.stop();
    const { channel, consumerTag } = this;
    if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
    this.consumerTag = undefined;
    await this.draining;
  }

  /** Consumes once its producer has declared its exchange (only the producer may, or the broker's definitions). */
  private async attach(connection: ChannelModel): Promise<void> {
    if (this.stopping) return;
    if (!(await this.producerExchange.ready(connection, (again) => this.attach(again)))) {
      this.refusal.clear();
      return;
    }
    // A look again (not a connect) may have begun before `stop`.
    if (this.stopping) return;
    const channel = await connection.createConfirmChannel();
    const refusedWith = keepRefusal(channel, this.options.logger, 'consumer channel error');
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      this.consumerTag = undefined;
      // A refusal while consuming (a retry or parking copy its user may not write) is logged by the reset.
      if (!this.stopping) void this.options.broker.reset(refusedWith() ?? new Error('consumer channel closed'));
    });
    const consumerTag = await this.consumeOn(channel, connection);
    if (consumerTag === undefined) return;
    if (this.stopping) {
      await channel.cancel(consumerTag).catch(() => undefined);
      return;
    }
    this.channel = channel;
    this.consumerTag = consumerTag;
    this.bindingKeeper.start();
  }

  /**
   * Declares its queues and bindings and consumes its work queue; undefined when the broker
   * refuses that for a reason only an operator mends (a queue with other arguments, a permission
   * its user lacks), which `problem` then reports: it looks again later on the same connection
   * and leaves the rest of the connection (the relay's publisher) alone.
   */
  private async consumeOn(channel: ConfirmChannel, connection: ChannelModel): Promise<string | undefined> {
    try {
      await declareConsumerTopology(channel, this.options.topology, this.bindings);
      await channel.prefetch(this.options.prefetch ?? 20);
      const { consumerTag } = await channel.consume(
        this.queue,
        (message) => (message ? this.received(channel, message) : this.cancelledByBroker(channel, connection)),
        { noAck: false },
      );
      this.refusal.resolved();
      return consumerTag;
    } catch (error) {
      if (this.stopping) return undefined;
      const lookAgainMs = this.refusal.refused(error);
      if (lookAgainMs === undefined) throw error;
      this.options.broker.runLater(connection, (again) => this.attach(again), lookAgainMs);
      return undefined;
    }
  }

  private received(channel: ConfirmChannel, message: ConsumeMessage): void {
    this.buffer.push({ channel, message, receivedAt: Date.now() });
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /**
   * The broker cancelled the consumer: its queue was deleted (by an operator, say). Attaching
   * again declares the queue and its bindings anew, so consuming goes on instead of stopping
   * while `running` still said yes.
   */
  private cancelledByBroker(channel: ConfirmChannel, connection: ChannelModel): void {
    if (this.channel !== channel || this.stopping) return;
    this.options.logger.warn(
      { queue: this.queue },
      'the broker cancelled the consumer (its queue deleted?); attaching again',
    );
    this.channel = undefined;
    this.consumerTag = undefined;
    void channel.close().catch(() => undefined);
    this.options.broker.runLater(connection, (again) => this.attach(again), 0);
  }

  /** Takes what has arrived in batches: one transaction and one commit for many messages. */
  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.batchSize ?? 50);
      const admitted: Admitted[] = [];
      for (const delivery of batch) {
        const held = await this.triage.admit(delivery);
        if (held) admitted.push(held);
      }
      if (admitted.length > 0) await this.applyBatch(admitted);
    }
  }

  /**
   * One transaction for the batch: its inbox rows in one statement, then the new messages'
   * handlers, in arrival order (a run of one type together when its handler takes batches).
   * A handler given one message runs in that message's span's context, so the replica's SQL
   * and any events the handler appends stay in the trace the message came with; a run of
   * several runs in the batch's span, which links them all. Each message's span ends once
   * it is acked, retried or parked.
   */
  private async applyBatch(batch: Admitted[]): Promise<void> {
    try {
      const outcomes = await inBatchSpan(
        this.queue,
        batch.map((held) => held.trace),
        () =>
          this.options.transaction(async (tx) => {
            const fresh = await recordBatchInInbox(
              tx,
              batch.map(({ event }) => event),
            );
            // Taken once: the same message twice in a batch is applied once.
            const outcomes = batch.map(({ event }): Outcome => (fresh.take(event.id) ? 'applied' : 'duplicate'));
            const applied = batch.filter((_, index) => outcomes[index] === 'applied');
            for (const step of handlerSteps(this.options.handlers, applied)) {
              const [only, ...others] = step.items;
              if (others.length === 0 && only) await context.with(only.trace.context, () => step.apply(tx));
              else await step.apply(tx);
            }
            return outcomes;
          }),
      );
      this.options.failpoint('consumer:after-commit-before-ack');
      for (const [index, held] of batch.entries()) {
        context.with(held.trace.context, () => this.settleApplied(held, outcomes[index]!));
      }
    } catch (error) {
      // A transient failure is nobody's fault: the whole batch waits. Otherwise one
      // transaction each, so only the culprit is retried.
      if (batch.length === 1 || classify(error) === 'transient') {
        for (const held of batch) await context.with(held.trace.context, () => this.triage.failed(held, error));
        return;
      }
      for (const delivery of batch) await this.applyBatch([delivery]);
    }
  }

  private settleApplied({ channel, message, event, trace }: Admitted, outcome: Outcome): void {
    settle(() => channel.ack(message));
    this.observer.consumed(event, outcome);
    this.options.logger.info(
      { eventId: event.id, type: event.type, correlationId: event.correlationId, actor: event.actor?.id, outcome },
      'event consumed',
    );
    trace.end(outcome);
  }
}
