import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import type { Broker } from './broker.js';
import { keepRefusal } from './amqpReplies.js';
import { DeclarationRefused } from './declarationRefused.js';

export class BrokerUnavailable extends Error {
  override name = 'BrokerUnavailable';
}

/**
 * A mandatory message that no queue took: nothing is bound to its routing key on the
 * exchange (a consumer not deployed yet, a queue an operator deleted). The broker still
 * confirms such a message, so without this error it would count as delivered and be lost.
 */
export class Unroutable extends Error {
  override name = 'Unroutable';

  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    readonly messageId: string,
  ) {
    super(`unroutable: no queue is bound to exchange "${exchange}" for routing key "${routingKey}"`);
  }
}

/** How soon a publisher whose channel the broker closed opens another on the same connection. */
const REATTACH_MS = 500;

interface Link {
  channel: ConfirmChannel;
  /** Mandatory publishes awaiting their confirm, by message id; the error is set when the broker returns one. */
  awaiting: Map<string, Unroutable | undefined>;
  /** Set while the write buffer is full: one wait shared by every publish that found it full. */
  draining?: Promise<void>;
}

/**
 * Publishes on a confirm channel that is recreated after every reconnect. `publish`
 * resolves only when the broker has confirmed the message, and waits for the channel
 * to drain when its write buffer is full. It rejects when the broker nacks the message,
 * when the channel closes before the confirm, and, for a `mandatory` publish, with
 * `Unroutable` when the broker returned the message. A mandatory publish needs a
 * `messageId` unique among those in flight: a basic.return carries no delivery tag, so
 * the id is what matches it to its publish. Every message carries the connection's user as
 * `userId`, which RabbitMQ validates: consumers apply only what their producer's user sent.
 */
export class Publisher {
  private link: Link | undefined;
  private drained: Promise<void> = Promise.resolve();
  private readonly userId: string;
  private readonly refusal: DeclarationRefused;
  /** The broker refusing its publishes (its user may not write to the exchange): until one is confirmed. */
  private readonly publishRefusal: DeclarationRefused;

  constructor(
    private readonly broker: Broker,
    private readonly prepare: (channel: ConfirmChannel) => Promise<void> = async () => undefined,
  ) {
    this.userId = broker.user;
    const refusal = { logger: broker.logger, permissions: 'docs/events.md#who-may-publish' };
    this.refusal = new DeclarationRefused(refusal);
    this.publishRefusal = new DeclarationRefused(refusal);
    broker.use((connection) => this.attach(connection));
  }

  get ready(): boolean {
    return this.link !== undefined;
  }

  /** Why it cannot publish though connected, when an operator must mend it: the broker refuses what `prepare` declares, or its publishes. */
  get problem(): string | undefined {
    if (!this.broker.connected) return undefined;
    return this.refusal.message ?? this.publishRefusal.message;
  }

  async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    await this.drained;
    const link = this.link;
    if (!link) throw new BrokerUnavailable('not connected to the broker');
    const tracked = options.mandatory ? track(link, options.messageId) : undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const properties = { ...options, userId: this.userId };
        const flowing = link.channel.publish(exchange, routingKey, content, properties, (error) => {
          // RabbitMQ sends basic.return before the basic.ack of the same message, on the same channel.
          const returned = tracked === undefined ? undefined : link.awaiting.get(tracked);
          if (error) reject(error instanceof Error ? error : new Error(`broker refused the message: ${String(error)}`));
          else if (returned) reject(returned);
          else {
            this.publishRefusal.resolved();
            resolve();
          }
        });
        if (!flowing) this.drained = drainedOrClosed(link);
      });
    } finally {
      if (tracked !== undefined) link.awaiting.delete(tracked);
    }
  }

  private async attach(connection: ChannelModel): Promise<void> {
    const channel = await connection.createConfirmChannel();
    const link: Link = { channel, awaiting: new Map() };
    const refusedWith = keepRefusal(channel, this.broker.logger, 'publisher channel error');
    channel.on('return', (message: Message) => noteReturn(link, message));
    // amqplib fails every unconfirmed publish of a closing channel with "channel closed".
    channel.on('close', () => {
      if (this.link !== link) return;
      this.link = undefined;
      // The broker closed the channel alone (a publish to an exchange deleted under it, or one
      // its user may not write to, which `problem` then says): open another, declaring the
      // exchange again, instead of refusing every publish until a reconnect; later each time
      // while refused.
      const refused = refusedWith();
      const lookAgainMs = refused === undefined ? undefined : this.publishRefusal.refused(refused);
      this.broker.runLater(connection, (again) => this.attach(again), lookAgainMs ?? REATTACH_MS);
    });
    try {
      await this.prepare(channel);
    } catch (error) {
      // Refused for good (a permission its user lacks): look again on this connection, leaving it
      // (and the consumer on it) alone, instead of failing the connection again and again.
      const lookAgainMs = this.refusal.refused(error);
      if (lookAgainMs === undefined) throw error;
      this.broker.runLater(connection, (again) => this.attach(again), lookAgainMs);
      return;
    }
    this.refusal.resolved();
    this.link = link;
  }
}

function track(link: Link, messageId: string | undefined): string {
  if (!messageId) throw new TypeError('a mandatory publish needs a messageId to match a returned message to it');
  if (link.awaiting.has(messageId)) throw new Error(`message ${messageId} is already awaiting its confirm`);
  link.awaiting.set(messageId, undefined);
  return messageId;
}

function noteReturn(link: Link, message: Message): void {
  const messageId: unknown = message.properties.messageId;
  if (typeof messageId !== 'string' || !link.awaiting.has(messageId)) return;
  link.awaiting.set(messageId, new Unroutable(message.fields.exchange, message.fields.routingKey, messageId));
}

/** A closed channel never drains: publishes waiting for it must go on (and fail), not hang. */
function drainedOrClosed(link: Link): Promise<void> {
  link.draining ??= new Promise((resume) => {
    const done = () => {
      link.channel.off('drain', done);
      link.channel.off('close', done);
      link.draining = undefined;
      resume();
    };
    link.channel.on('drain', done);
    link.channel.on('close', done);
  });
  return link.draining;
}
