import amqp, { type Channel, type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { amqpUser } from './publisherTrust.js';

/** Something that needs channels: called on every (re)connect to recreate them. */
export type BrokerParticipant = (connection: ChannelModel) => Promise<void>;

export interface BrokerOptions {
  url: string;
  logger: Logger;
  /** Seconds; lets a silently dead link (a cut proxy, a dropped NAT entry) be noticed. */
  heartbeatSeconds?: number;
}

/**
 * One RabbitMQ connection per process, on amqplib's recovery: it reconnects with
 * backoff forever, and on each connect runs every participant so channels, topology
 * and consumers come back. Losing the broker never throws out of here; `connected`
 * says whether it is up, for readiness.
 */
export class Broker {
  private readonly participants: BrokerParticipant[] = [];
  private connection: RecoveringChannelModel | undefined;
  private current: ChannelModel | undefined;
  /** The connection participants last ran on (set before `connect` is announced): what `runLater` checks. */
  private latest: ChannelModel | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly connectListeners = new Set<() => void>();
  private readonly disconnectListeners = new Set<() => void>();
  private isClosed = false;

  /** The RabbitMQ user this connection logs in as: what every message it publishes carries as `userId`. */
  readonly user: string;

  constructor(private readonly options: BrokerOptions) {
    this.user = amqpUser(options.url);
  }

  /** Where the connection and its participants log. */
  get logger(): Logger {
    return this.options.logger;
  }

  get connected(): boolean {
    return this.current !== undefined;
  }

  /** Closed for good: nothing runs on it again. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Registers a participant; it runs at the next connect and every reconnect after. */
  use(participant: BrokerParticipant): void {
    this.participants.push(participant);
    if (this.current) void this.runParticipant(this.current, participant);
  }

  onConnect(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  /** Told each time a connection is lost or reset (by the broker, the network, or `reset`). */
  onDisconnect(listener: () => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  async start(): Promise<void> {
    const { logger } = this.options;
    this.connection = await amqp.connect(withHeartbeat(this.options.url, this.options.heartbeatSeconds ?? 5), {
      recovery: {
        initialDelay: 200,
        maxDelay: 5000,
        maxRetries: Infinity,
        waitForConnect: false,
        setup: async (model: ChannelModel) => {
          this.latest = model;
          model.on('error', (error: Error) => logger.warn({ err: error }, 'broker connection error'));
          for (const participant of this.participants) await participant(model);
        },
      },
    });
    this.connection.on('error', (error: Error) => logger.warn({ err: error }, 'broker error'));
    this.connection.on('connect', (model: ChannelModel) => {
      this.current = model;
      logger.info('broker connected');
      for (const listener of this.connectListeners) listener();
    });
    this.connection.on('disconnect', (error: Error) => {
      this.current = undefined;
      this.latest = undefined;
      logger.warn({ err: error }, 'broker disconnected; reconnecting');
      for (const listener of this.disconnectListeners) listener();
    });
    this.connection.on('connect-failed', (error: Error) => {
      this.current = undefined;
      this.latest = undefined;
      logger.warn({ err: error }, 'broker connect failed; retrying');
    });
  }

  /**
   * Runs `work` on a short-lived channel of the current connection, so a failing check (a
   * queue that is not there closes its channel) never touches the participants' channels.
   * Resolves undefined while disconnected.
   */
  async withChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T | undefined> {
    const model = this.current;
    if (!model) return undefined;
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /**
   * Runs `participant` again on `model` after `delayMs` (one waiting for something another
   * service declares), unless that connection is gone by then: the next one runs every
   * participant anyway. A participant that throws resets the connection, as at a connect.
   */
  runLater(model: ChannelModel, participant: BrokerParticipant, delayMs: number): void {
    // Channels closing under `close` ask too: nothing runs on a closed broker.
    if (this.isClosed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.latest === model) void this.runParticipant(model, participant);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** A channel error leaves a half-working connection; restart everything through recovery. */
  async reset(reason: Error): Promise<void> {
    const model = this.current;
    if (!model) return;
    this.options.logger.warn({ err: reason }, 'resetting the broker connection');
    this.current = undefined;
    this.latest = undefined;
    await model.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.isClosed = true;
    this.current = undefined;
    this.latest = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.connection?.close().catch(() => undefined);
  }

  private async runParticipant(model: ChannelModel, participant: BrokerParticipant): Promise<void> {
    try {
      await participant(model);
    } catch (error) {
      // Failed on a connection already replaced: the new one is fine, and ran every participant.
      if (model === this.current) await this.reset(error as Error);
    }
  }
}

function withHeartbeat(url: string, seconds: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(seconds));
  return parsed.toString();
}
