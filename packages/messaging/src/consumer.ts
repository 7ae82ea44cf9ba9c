import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { validateEvent, type EventType, type ValidEvent } from '@potluck/events';
import type { Broker } from './broker.js';
import { classify, retryDelayMs, shouldPark } from './classify.js';
import type { FailpointTrigger } from './failpoints.js';
import { recordInInbox, type InboxTransaction } from './inbox.js';
import { declareConsumerTopology, type ConsumerTopology } from './topology.js';

/** Applies one validated event inside the consumer's transaction. A handler never acks. */
export type EventHandler<Tx> = (event: ValidEvent, tx: Tx) => Promise<void>;

export interface ConsumerOptions<Tx extends InboxTransaction> {
  broker: Broker;
  topology: ConsumerTopology;
  /** Runs work in one database transaction (e.g. `prisma.$transaction`). */
  transaction: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
  handle: EventHandler<Tx>;
  logger: Logger;
  failpoint: FailpointTrigger;
  prefetch?: number;
  /** Messages applied in one transaction when several are waiting. */
  batchSize?: number;
  /** Failed handling attempts before a message is parked. */
  maxAttempts?: number;
  retryBaseDelayMs?: number;
}

const ATTEMPTS_HEADER = 'x-potluck-attempts';

type Outcome = 'applied' | 'duplicate';

interface Delivery {
  channel: ConfirmChannel;
  message: ConsumeMessage;
}

interface Admitted extends Delivery {
  event: ValidEvent;
}

/**
 * Consumes a work queue with manual acks and a bounded prefetch, in arrival order: the
 * inbox inserts and the handler's changes commit together (several waiting messages share
 * one transaction), and the acks follow the commit.
 * Duplicates are acked and skipped. Malformed or unknown messages are parked at once;
 * a failing handler is retried with delay, then parked with its last error.
 */
export class InboxConsumer<Tx extends InboxTransaction> {
  private channel: ConfirmChannel | undefined;
  private consumerTag: string | undefined;
  private readonly buffer: Delivery[] = [];
  private draining: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly options: ConsumerOptions<Tx>) {
    options.broker.use((connection) => this.attach(connection));
  }

  /** Consuming right now: connected, with a live channel and a registered consumer. */
  get running(): boolean {
    return this.consumerTag !== undefined && !this.stopping;
  }

  /** Stops taking deliveries and waits for the one in hand to be committed and acked. */
  async stop(): Promise<void> {
    this.stopping = true;
    const { channel, consumerTag } = this;
    if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
    this.consumerTag = undefined;
    await this.draining;
  }

  private async attach(connection: ChannelModel): Promise<void> {
    if (this.stopping) return;
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: Error) => this.options.logger.warn({ err: error }, 'consumer channel error'));
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      this.consumerTag = undefined;
      if (!this.stopping) void this.options.broker.reset(new Error('consumer channel closed'));
    });
    await declareConsumerTopology(channel, this.options.topology);
    await channel.prefetch(this.options.prefetch ?? 20);
    this.channel = channel;
    const { consumerTag } = await channel.consume(
      this.options.topology.workQueue,
      (message) => {
        if (!message) return;
        this.buffer.push({ channel, message });
        this.draining ??= this.drain().finally(() => {
          this.draining = undefined;
        });
      },
      { noAck: false },
    );
    this.consumerTag = consumerTag;
  }

  /** Takes what has arrived in batches: one transaction and one commit for many messages. */
  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.batchSize ?? 50);
      const admitted: Admitted[] = [];
      for (const delivery of batch) {
        const event = await this.admit(delivery.channel, delivery.message);
        if (event) admitted.push({ ...delivery, event });
      }
      if (admitted.length > 0) await this.applyBatch(admitted);
    }
  }

  private async applyBatch(batch: Admitted[]): Promise<void> {
    try {
      const outcomes = await this.options.transaction(async (tx) => {
        const applied: Outcome[] = [];
        for (const { event } of batch) applied.push(await this.applyIn(tx, event));
        return applied;
      });
      this.options.failpoint('consumer:after-commit-before-ack');
      for (const [index, { channel, message, event }] of batch.entries()) {
        settle(() => channel.ack(message));
        this.options.logger.info(
          { eventId: event.id, type: event.type, correlationId: event.correlationId, outcome: outcomes[index] },
          'event consumed',
        );
      }
    } catch (error) {
      if (batch.length === 1) {
        const [{ channel, message, event }] = batch as [Admitted];
        await this.fail(channel, message, event, error);
        return;
      }
      // Something in the batch failed: one transaction each, so only the culprit is retried.
      for (const delivery of batch) await this.applyBatch([delivery]);
    }
  }

  /** Parks what can never be handled (not JSON, a type this consumer does not take, a broken contract). */
  private async admit(channel: ConfirmChannel, message: ConsumeMessage): Promise<ValidEvent | undefined> {
    let body: unknown;
    try {
      body = JSON.parse(message.content.toString('utf8'));
    } catch (error) {
      await this.park(channel, message, 'malformed-json', error);
      return undefined;
    }
    const type = (body as { type?: unknown } | null)?.type;
    if (!this.options.topology.bindings.includes(type as EventType)) {
      await this.park(channel, message, 'unknown-type', new Error(`no handler for type ${JSON.stringify(type)}`));
      return undefined;
    }
    try {
      return validateEvent(body);
    } catch (error) {
      await this.park(channel, message, 'contract-violation', error);
      return undefined;
    }
  }

  private async applyIn(tx: Tx, event: ValidEvent): Promise<Outcome> {
    if (!(await recordInInbox(tx, event.id, event.type))) return 'duplicate';
    await this.options.handle(event, tx);
    return 'applied';
  }

  private async fail(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    event: ValidEvent,
    error: unknown,
  ): Promise<void> {
    const attempts = Number(message.properties.headers?.[ATTEMPTS_HEADER] ?? 0) + 1;
    const kind = classify(error);
    const { maxAttempts = 5, retryBaseDelayMs = 1000, logger } = this.options;
    if (shouldPark(kind, attempts, maxAttempts)) {
      await this.park(channel, message, kind === 'poison' ? 'poison' : `failed ${attempts} times`, error, attempts);
      return;
    }
    const delay = retryDelayMs(attempts, retryBaseDelayMs);
    logger.warn(
      { eventId: event.id, type: event.type, correlationId: event.correlationId, attempts, delay, err: error },
      'handler failed; retrying later',
    );
    await this.forward(
      channel,
      message,
      this.options.topology.retryQueue,
      {
        [ATTEMPTS_HEADER]: attempts,
        'x-potluck-last-error': errorText(error),
      },
      String(delay),
    );
  }

  private async park(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    reason: string,
    error: unknown,
    attempts?: number,
  ) {
    const { messageId, correlationId } = message.properties;
    this.options.logger.error({ reason, messageId, correlationId, err: error }, 'parking message');
    await this.forward(channel, message, this.options.topology.parkingQueue, {
      'x-parked-reason': reason,
      'x-parked-error': errorText(error),
      'x-parked-at': new Date().toISOString(),
      'x-original-exchange': message.fields.exchange,
      'x-original-routing-key': message.fields.routingKey,
      ...(attempts !== undefined && { [ATTEMPTS_HEADER]: attempts }),
    });
  }

  /** Copies the message to a queue, waits for the broker's confirm, then acks the original. */
  private async forward(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    queue: string,
    headers: Record<string, unknown>,
    expiration?: string,
  ): Promise<void> {
    const { properties } = message;
    try {
      await new Promise<void>((resolve, reject) => {
        channel.sendToQueue(
          queue,
          message.content,
          { ...properties, headers: { ...properties.headers, ...headers }, persistent: true, expiration },
          (error) => (error ? reject(new Error(String(error))) : resolve()),
        );
      });
      settle(() => channel.ack(message));
    } catch (error) {
      // Not acked: the broker redelivers it after the channel recovers.
      this.options.logger.warn({ err: error, queue }, 'could not move message; it will be redelivered');
    }
  }
}

/** Acks on a channel that died in the meantime throw; the broker redelivers, the inbox dedupes. */
function settle(action: () => void): void {
  try {
    action();
  } catch {
    // Intentionally ignored: see above.
  }
}

function errorText(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000);
}
