import { randomUUID } from 'node:crypto';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { AwaitedExchanges, BindingKeeper, DeclarationRefused, keepRefusal, type Broker } from '@potluck/messaging';
import type { Logger } from '@potluck/service';
import { StreamLiveness } from './streamLiveness.js';
import { MARK_TYPE, offsetOf, readStreamEntry, type StreamEntry, type StreamTrust } from './streamMessages.js';
import { declareStream, type StreamNames, type StreamRetention } from './streamTopology.js';

export type EventEntry = Extract<StreamEntry, { kind: 'event' }>;

/** Unacknowledged deliveries of a backlog reader: how far it reads ahead of a subscriber that waits. */
const CATCH_UP_PREFETCH = 100;
/**
 * Bounds on the broker calls a backlog read waits for: opening (channel, consume) and
 * closing its channel. A broker that never answers (a crashed channel) must not hold a
 * subscriber, its slots or a reader slot forever; past these the read counts as gone.
 */
const OPEN_TIMEOUT_MS = 10_000;
/** How soon the live reader attaches again after the broker closed its channel alone (not refusing it). */
const REATTACH_MS = 500;
const STOP_TIMEOUT_MS = 5000;

/**
 * What to do when the stream exists with other retention than the configured one. A policy
 * changes a stream's retention in place; an argument only when the stream is declared.
 */
const STREAM_REMEDIES = Object.fromEntries(
  [
    ['x-max-length-bytes', 'SUBSCRIPTION_STREAM_MAX_BYTES', 'max-length-bytes'],
    ['x-max-age', 'SUBSCRIPTION_STREAM_MAX_AGE', 'max-age'],
    ['x-stream-max-segment-size-bytes', 'SUBSCRIPTION_STREAM_SEGMENT_BYTES', 'stream-max-segment-size-bytes'],
  ].map(([argument, variable, policyKey]) => [
    argument!,
    `set ${variable} to the stream's value (a RabbitMQ policy's ${policyKey} changes the retention itself; the variable must still match)`,
  ]),
);

const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())]);

export interface StreamReaderOptions {
  broker: Broker;
  names: StreamNames;
  retention: StreamRetention;
  trust: StreamTrust;
  logger: Logger;
  /** Unacknowledged deliveries per consumer: RabbitMQ needs a limit to read a stream. */
  prefetch?: number;
  /** How often the stream is bound again to the events exchanges (`BINDING_CHECK_MS` by default). */
  bindingCheckMs?: number;
}

/** A reader of the stream from an offset, for one resuming subscriber. */
export interface CatchUp {
  stop(): Promise<void>;
  /** Settles when the read ends: undefined after `stop`, else why it ended by itself (the broker went away). */
  ended: Promise<string | undefined>;
}

/**
 * The gateway's one live reader of the stream, and short-lived readers from a given offset.
 *
 * The live reader knows its `position`: the offset of the last entry it handed on. The first
 * time it attaches it cannot know where the stream ends, so it attaches at `next` and writes a
 * mark into the stream: entries after the mark are new. After a broker outage it attaches at
 * its position again; RabbitMQ starts at the chunk holding that entry, so lower offsets are
 * skipped, and when the first entry is already past the position, the stream dropped entries
 * while the gateway was away (retention) and `onGap` says so.
 */
export class StreamReader {
  private position: number | undefined;
  private markId: string = randomUUID();
  private readonly listeners = new Set<(entry: StreamEntry) => void>();
  private readonly gapListeners = new Set<(position: number, firstSeen: number) => void>();
  private readonly linkListeners = new Set<(linked: boolean) => void>();
  private positioned: Array<() => void> = [];
  /** The live reader's channel while it is open. */
  private channel: Channel | undefined;
  /** Set by `watchLiveness`. */
  private liveness: StreamLiveness | undefined;
  /** Why the last attach failed, or why the link is stalled; undefined once attached. */
  private trouble: string | undefined = 'not attached yet';
  private readonly bindings: BindingKeeper;
  private readonly sources: AwaitedExchanges;
  private readonly streamRefusal: DeclarationRefused;
  /** The broker refusing its marks (its user may not write to the marks exchange): until an own mark is read back. */
  private readonly markRefusal: DeclarationRefused;

  constructor(private readonly options: StreamReaderOptions) {
    this.sources = new AwaitedExchanges(options.broker, options.names.sources, options.logger);
    this.streamRefusal = new DeclarationRefused({
      logger: options.logger,
      permissions: 'docs/subscriptions.md#broker-permissions',
      remedies: STREAM_REMEDIES,
    });
    this.markRefusal = new DeclarationRefused({
      logger: options.logger,
      permissions: 'docs/subscriptions.md#broker-permissions',
    });
    // Only watched, never bound again by itself: bound before the consumers' queues, the stream
    // would make the producer's mandatory publishes count as routed while no consumer gets them.
    const exchangesThere = async (channel: Channel) => {
      for (const source of options.names.sources) await channel.checkExchange(source);
    };
    this.bindings = new BindingKeeper({
      broker: options.broker,
      check: exchangesThere,
      logger: options.logger,
      intervalMs: options.bindingCheckMs,
      // Events of a producer whose exchange is gone do not reach the stream: the link is not whole.
      onMissing: () => this.linked(false),
    });
    options.broker.use((model) => this.attach(model));
  }

  /** Why the stream is not read, or not whole, for readiness; undefined while it is. */
  get problem(): string | undefined {
    const refused = this.markRefusal.message;
    if (refused) return `cannot write its marks into the stream ${this.options.names.stream}: ${refused}`;
    if (this.trouble || !this.bindings.missing) return this.trouble;
    const gone = this.bindings.missing;
    return `an events exchange was deleted (${gone}), and the stream's binding to it with it: restart the gateway once the subgraphs consume again (it binds at its start)`;
  }

  /** The offset of the last entry handed on, once known. */
  get current(): number | undefined {
    return this.position;
  }

  onEntry(listener: (entry: StreamEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onGap(listener: (position: number, firstSeen: number) => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  /**
   * Told `true` once every entry from now on reaches `onEntry` (attached and positioned), and
   * `false` when the channel goes away: between the two, entries may be published unseen.
   */
  onLink(listener: (linked: boolean) => void): () => void {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  private linked(linked: boolean): void {
    for (const listener of this.linkListeners) listener(linked);
  }

  /**
   * Writes a mark of its own into the stream every third of `deadlineMs` and expects to read
   * one back within `deadlineMs` of sending it. A link that drops without closing (no RST;
   * AMQP heartbeats notice only after two are missed) still publishes but reads nothing, and a
   * reader far behind reads its marks late: past the deadline the link counts as lost
   * (`onLink(false)`, `problem` set) until an own mark comes back, which proves every entry
   * before it was read. Returns a function that stops it.
   */
  watchLiveness(deadlineMs: number): () => void {
    this.liveness = new StreamLiveness(deadlineMs, performance.now());
    const timer = setInterval(() => this.probe(), Math.max(100, Math.floor(deadlineMs / 3)));
    timer.unref();
    return () => {
      clearInterval(timer);
      this.liveness = undefined;
    };
  }

  private probe(): void {
    const { liveness, channel } = this;
    if (!liveness || !channel || this.position === undefined) return;
    // Decided after pending input is read: a mark waiting in the socket after a long busy turn is not a stall.
    if (liveness.overdue(performance.now())) setImmediate(() => this.stallIfOverdue(liveness));
    try {
      liveness.sent(this.publishMark(channel), performance.now());
    } catch (error) {
      // The channel is closing (shutdown, reset): its close event says the link is lost.
      this.options.logger.debug({ err: error }, 'could not write a liveness mark');
    }
  }

  private stallIfOverdue(liveness: StreamLiveness): void {
    if (liveness !== this.liveness || !liveness.overdue(performance.now())) return;
    liveness.stall();
    this.trouble = `no mark of its own came back from the stream within ${liveness.deadlineMs} ms`;
    this.options.logger.warn({ deadlineMs: liveness.deadlineMs }, 'the event stream stalled: reading nothing back');
    this.linked(false);
  }

  private positionedNow(): void {
    this.liveness?.reset(performance.now());
    this.linked(true);
  }

  /** The position, waiting up to `timeoutMs` for the first attach; undefined when it does not come. */
  async whenPositioned(timeoutMs: number): Promise<number | undefined> {
    if (this.position !== undefined) return this.position;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.positioned.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.position;
  }

  /** Declares and binds the stream once every events exchange is there (each service declares its own; the gateway may not). */
  private async attach(model: ChannelModel): Promise<void> {
    const { names, logger } = this.options;
    if (!(await this.sources.ready(model, (again) => this.attach(again)))) {
      this.trouble = `waiting for the events exchanges ${this.sources.missing.join(', ')} (each service declares its own)`;
      this.streamRefusal.clear();
      return;
    }
    const channel = await model.createChannel();
    const refusedWith = keepRefusal(channel, logger, 'stream reader channel error');
    channel.on('close', () => {
      if (this.channel === channel) {
        this.channel = undefined;
        this.attachAgain(model, refusedWith());
      }
      if (!this.streamRefusal.message && !this.markRefusal.message) this.trouble = 'the stream reader channel closed';
      this.linked(false);
    });
    const start = this.position;
    const reading = await this.consumeFrom(channel, model, start);
    if (!reading) return;
    this.channel = channel;
    if (start === undefined) this.markId = this.publishMark(channel);
    else this.positionedNow();
    this.trouble = undefined;
    this.bindings.start();
    logger.info({ stream: names.stream, from: start ?? 'a new mark' }, 'reading the subscription stream');
  }

  /**
   * The broker closed the live channel alone: a mark refused (the gateway's user may not write
   * to its marks exchange, which `problem` then says), or the marks exchange deleted. Reads on
   * from its position on this connection, later each time while refused. A lost connection
   * attaches again at the reconnect, so `runLater` does nothing then.
   */
  private attachAgain(model: ChannelModel, refused: unknown): void {
    const lookAgainMs = refused === undefined ? undefined : this.markRefusal.refused(refused);
    this.options.broker.runLater(model, (again) => this.attach(again), lookAgainMs ?? REATTACH_MS);
  }

  /**
   * Declares the stream and consumes it from `start` (or its end); false when the broker refuses
   * that for a reason only an operator mends (other retention, a permission the gateway's user
   * lacks): `problem` says so, and it looks again on this connection, leaving it (and the
   * marks) alone.
   */
  private async consumeFrom(channel: Channel, model: ChannelModel, start: number | undefined): Promise<boolean> {
    const { names, retention, logger } = this.options;
    try {
      await declareStream(channel, names, retention);
      await channel.prefetch(this.options.prefetch ?? 500);
      await channel.consume(names.stream, this.liveDeliveries(channel, start), {
        noAck: false,
        arguments: { 'x-stream-offset': start ?? 'next' },
      });
    } catch (error) {
      const lookAgainMs = this.streamRefusal.refused(error);
      if (lookAgainMs !== undefined) {
        this.trouble = `cannot read the stream ${names.stream}: ${this.streamRefusal.message}`;
        this.options.broker.runLater(model, (again) => this.attach(again), lookAgainMs);
        return false;
      }
      this.trouble = `cannot read the stream ${names.stream}: ${(error as Error).message}`;
      logger.error({ err: error, stream: names.stream }, 'cannot read the subscription stream');
      throw error;
    }
    this.streamRefusal.resolved();
    return true;
  }

  /** What the live reader does with each delivery: a gap check on the first, then `handle`. */
  private liveDeliveries(channel: Channel, start: number | undefined): (message: ConsumeMessage | null) => void {
    let first = true;
    return (message) => {
      if (!message) {
        // The broker cancelled the consumer (stream deleted, leader moved): nothing more comes on this channel.
        this.trouble = 'the broker cancelled the stream consumer';
        this.linked(false);
        void this.options.broker.reset(new Error(this.trouble));
        return;
      }
      channel.ack(message);
      const offset = offsetOf(message);
      if (offset === undefined) return;
      if (first && start !== undefined && offset > start) {
        for (const listener of this.gapListeners) listener(start, offset);
      }
      first = false;
      this.handle(message, offset);
    };
  }

  private handle(message: ConsumeMessage, offset: number): void {
    if (this.position !== undefined && offset <= this.position) return;
    const entry = readStreamEntry(message, offset, this.options.trust, this.options.names);
    if (this.position === undefined) {
      if (entry.kind !== 'mark' || entry.id !== this.markId) return;
      this.position = offset;
      this.markRefusal.resolved();
      for (const resolve of this.positioned.splice(0)) resolve();
      this.positionedNow();
      return;
    }
    this.position = offset;
    // An own mark read back: the broker takes its marks (again).
    if (entry.kind === 'mark' && this.liveness?.sentNotHeard(entry.id)) this.markRefusal.resolved();
    if (entry.kind === 'mark' && this.liveness?.heard(entry.id)) {
      this.trouble = undefined;
      this.options.logger.info('the event stream is read again');
      this.linked(!this.bindings.missing);
    }
    if (entry.kind === 'skipped') {
      this.options.logger.warn(
        { offset, reason: entry.reason },
        'skipped a stream message that is not a trusted event',
      );
    }
    for (const listener of this.listeners) listener(entry);
  }

  /** Writes a mark of this reader's into the stream; answers its id. */
  private publishMark(channel: Channel): string {
    const id = randomUUID();
    channel.publish(this.options.names.marks, '', Buffer.from('{}'), {
      type: MARK_TYPE,
      messageId: id,
      userId: this.options.broker.user,
      contentType: 'application/json',
    });
    return id;
  }

  /** Whether the broker is connected, waiting up to `timeoutMs` for it to be. */
  async whenConnected(timeoutMs: number): Promise<boolean> {
    const { broker } = this.options;
    if (broker.connected) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        forget();
        resolve(broker.connected);
      }, timeoutMs);
      const forget = broker.onConnect(() => {
        clearTimeout(timer);
        forget();
        resolve(true);
      });
    });
  }

  /**
   * Reads the stream from `offset` (RabbitMQ may start a little lower: the chunk holding it)
   * on a channel of its own, handing every entry to `onEntry` in order until `stop`. Undefined
   * while the broker is unreachable; `ended` says when the channel went away by itself.
   */
  async readFrom(
    offset: number,
    onEntry: (entry: StreamEntry) => Promise<void> | undefined | void,
  ): Promise<CatchUp | undefined> {
    const { broker, names, trust } = this.options;
    let stopped = false;
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    let started: (catchUp: CatchUp | undefined) => void = () => undefined;
    const ready = new Promise<CatchUp | undefined>((resolve) => (started = resolve));
    const ended = Promise.withResolvers<string | undefined>();
    const end = (reason: string) => ended.resolve(stopped ? undefined : reason);
    const stop = () => {
      stopped = true;
      end('stopped');
      release();
    };
    const opening = setTimeout(() => {
      stop();
      started(undefined);
    }, OPEN_TIMEOUT_MS).unref();
    const running = broker
      .withChannel(async (channel) => {
        channel.on('close', () => {
          end('the broker connection was lost');
          release();
        });
        await channel.prefetch(CATCH_UP_PREFETCH);
        // Acknowledged in order once the reader may go on: RabbitMQ sends no more than the prefetch ahead.
        let acks = Promise.resolve();
        await channel.consume(
          names.stream,
          (message) => {
            if (!message || stopped) return;
            const at = offsetOf(message);
            const wait = at === undefined ? undefined : onEntry(readStreamEntry(message, at, trust, names));
            acks = acks
              .then(() => wait)
              .then(() => {
                if (!stopped) channel.ack(message);
              })
              .catch(() => undefined);
          },
          { noAck: false, arguments: { 'x-stream-offset': offset } },
        );
        clearTimeout(opening);
        started({
          stop: async () => {
            stop();
            await within(running, STOP_TIMEOUT_MS);
          },
          ended: ended.promise,
        });
        await done;
      })
      .catch((error: unknown) => end(`the stream could not be read: ${(error as Error).message}`))
      .finally(() => {
        clearTimeout(opening);
        end('the broker connection was lost');
        started(undefined);
      });
    return ready;
  }
}
