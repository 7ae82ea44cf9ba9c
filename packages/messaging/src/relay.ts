import pg from 'pg';
import type { Logger } from 'pino';
import type { Broker } from './broker.js';
import type { FailpointTrigger } from './failpoints.js';
import { SILENT_OBSERVER, type MessagingObserver } from './observer.js';
import { OutboxListener } from './outboxListener.js';
import { Unroutable, type Publisher } from './publisher.js';
import { contextFrom, tracedPublish } from './tracing.js';
import { CONNECT_TIMEOUT_MS } from './storage.js';

export interface RelayOptions {
  databaseUrl: string;
  broker: Broker;
  publisher: Publisher;
  exchange: string;
  /** The producing service, sent as the AMQP app id. */
  appId: string;
  logger: Logger;
  failpoint: FailpointTrigger;
  batchSize?: number;
  /** Batches published while earlier ones still wait for their confirms and marks (1 = one at a time). Default 2. */
  batchesInFlight?: number;
  /** The fallback poll when no NOTIFY arrives. */
  pollIntervalMs?: number;
  /** Sent outbox rows and inbox rows older than this are deleted. */
  retentionMs?: number;
  /** Told of every confirmed and every failed publish (metrics). */
  observer?: MessagingObserver;
}

interface OutboxRow {
  id: string;
  attempts: number;
  type: string;
  aggregate_version: number;
  payload: { schemaVersion?: number; correlationId?: string };
  created_at: Date;
  /** The writer's trace context (see `appendToOutbox`); null when nothing was traced. */
  trace_context: unknown;
}

export interface OutboxStats {
  backlog: number;
  /** Age of the oldest unsent row; 0 when there is none. */
  oldestAgeMs: number;
}

const CLEANUP_EVERY_MS = 60_000;

/** What became of a published batch's marks: committed, or rolled back (its rows unsent and unlocked). */
interface Marked {
  committed: boolean;
}

/** A batch once its rows are published: how many it took, and its marks (never rejects). */
interface PublishedBatch {
  taken: number;
  marked: Promise<Marked>;
}

/** One drain of the relay: the first of its batches to roll back, which ends it (its rows are free again). */
interface Drain {
  rolledBack?: { error: unknown };
}

/**
 * Opens the drain's transaction with sorting ruled out for its statements, in the same round
 * trip. A backlog appears when the relay could not publish for a while, and the table's
 * statistics, gathered while nearly every row was sent, then promise a few unsent rows: the
 * planner would read and sort the whole backlog, payloads included, for every batch (40-90 ms
 * a batch at 10,000 rows, so draining it grows with its square). Without a sort the only plan
 * left walks the unsent rows' index in order and stops after a batch (1-3 ms).
 */
export const BEGIN_DRAIN = 'BEGIN; SET LOCAL enable_sort = off';

/**
 * Due rows in order, except those behind a row of the same type that is backing off:
 * once a missing queue appears, the held rows must reach it before newer ones.
 * Meant to walk `outbox_unsent_position_idx` in order and stop after a batch (see `BEGIN_DRAIN`).
 */
export const DUE_ROWS = `
  WITH waiting AS (
    SELECT type, min(position) AS position FROM outbox
     WHERE sent_at IS NULL AND next_attempt_at > now()
     GROUP BY type)
  SELECT id, type, attempts, aggregate_version, payload, created_at, trace_context FROM outbox
   WHERE sent_at IS NULL AND next_attempt_at <= now()
     AND NOT EXISTS (SELECT 1 FROM waiting WHERE waiting.type = outbox.type AND waiting.position < outbox.position)
   ORDER BY position
   LIMIT $1 FOR UPDATE OF outbox SKIP LOCKED`;

/**
 * Per-row backoff after a failed publish: doubling from 500 ms, at most 30 s. The cap is
 * also how long events can wait after their missing queue appears (rows no queue took
 * fail as `Unroutable`). That is acceptable: a missing queue is a deploy-order or operator
 * event, not the steady state, the rows keep their order meanwhile, and every retry sends
 * the whole held backlog of that routing key to the broker only to come back, so a lower
 * cap would multiply that traffic for a long outage.
 */
export function publishBackoffMs(attempts: number): number {
  return Math.min(30_000, 500 * 2 ** attempts);
}

/**
 * Moves committed outbox rows to the broker: due rows in order, locked with
 * FOR UPDATE SKIP LOCKED (so replicas can run side by side), published as mandatory on a
 * confirm channel, marked sent only after the broker confirmed them and a queue took them.
 * A row that fails is retried later with backoff, and later rows of its type wait for it,
 * so they do not overtake it; none is ever dropped.
 */
export class OutboxRelay {
  private readonly pool: pg.Pool;
  private readonly listener: OutboxListener;
  private readonly batchSize: number;
  private readonly batchesInFlight: number;
  private readonly observer: MessagingObserver;
  private pending = false;
  private running: Promise<void> | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private cleanupTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RelayOptions) {
    this.batchesInFlight = options.batchesInFlight ?? 2;
    if (!Number.isInteger(this.batchesInFlight) || this.batchesInFlight < 1) {
      throw new RangeError(`batchesInFlight must be a whole number of at least 1 (got ${this.batchesInFlight})`);
    }
    this.pool = new pg.Pool({
      connectionString: options.databaseUrl,
      // One per batch in flight, and one for `stats` and the cleanup.
      max: this.batchesInFlight + 1,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    this.pool.on('error', (error) => options.logger.warn({ err: error }, 'relay database connection error'));
    this.listener = new OutboxListener(options.databaseUrl, () => this.nudge(), options.logger);
    this.batchSize = options.batchSize ?? 200;
    this.observer = options.observer ?? SILENT_OBSERVER;
    options.broker.onConnect(() => this.nudge());
  }

  async start(): Promise<void> {
    await this.listener.start();
    this.pollTimer = setInterval(() => this.nudge(), this.options.pollIntervalMs ?? 1000);
    this.cleanupTimer = setInterval(() => void this.deleteOldRows(), CLEANUP_EVERY_MS);
    this.nudge();
  }

  /** Asks for a drain soon; many nudges while one runs collapse into one more pass. */
  nudge(): void {
    if (this.stopped) return;
    this.pending = true;
    this.running ??= this.pump().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops waking up, lets the current batch finish (its confirms and marks), then closes. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private async shutDown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearInterval(this.cleanupTimer);
    await this.running;
    await this.listener.stop();
    await this.pool.end();
  }

  async stats(): Promise<OutboxStats> {
    const { rows } = await this.pool.query<{ backlog: number; oldest_age_ms: number | null }>(
      `SELECT count(*)::int AS backlog,
              (extract(epoch FROM now() - min(created_at)) * 1000)::float8 AS oldest_age_ms
         FROM outbox WHERE sent_at IS NULL`,
    );
    return { backlog: rows[0]?.backlog ?? 0, oldestAgeMs: Math.max(0, rows[0]?.oldest_age_ms ?? 0) };
  }

  /**
   * Deletes sent outbox rows and inbox rows older than the retention; runs periodically.
   * An inbox row only has to outlive redeliveries of its message, and replica versions
   * still stop a duplicate that arrives later than that.
   */
  async deleteOldRows(): Promise<number> {
    const retention = this.options.retentionMs ?? 7 * 24 * 3600 * 1000;
    const older = `now() - make_interval(secs => $1::float8 / 1000)`;
    try {
      const sent = await this.pool.query(`DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ${older}`, [
        retention,
      ]);
      const seen = await this.pool.query(`DELETE FROM inbox WHERE received_at < ${older}`, [retention]);
      return (sent.rowCount ?? 0) + (seen.rowCount ?? 0);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not delete old outbox and inbox rows');
      return 0;
    }
  }

  /**
   * Drains while there is work: the next batch is taken and published as soon as the one
   * before is published, while that one still waits for the broker's confirms and commits its
   * marks (`batchesInFlight` at most). One batch at a time left the broker idle for each
   * batch's confirms, marks and commit: about a quarter more events per second drained with
   * two (bench/README, item 19). Marks commit in publishing order. A batch that rolled back
   * ends the drain before another is taken (its rows, unlocked, would go out again behind the
   * batches in flight); the next nudge or poll starts again from the oldest unsent row.
   */
  private async pump(): Promise<void> {
    const drain: Drain = {};
    const inFlight: PublishedBatch[] = [];
    let lastMarked: Promise<Marked> = Promise.resolve({ committed: true });
    try {
      while (!this.stopped) {
        if (drain.rolledBack) throw drain.rolledBack.error;
        const mayTake = this.pending && this.options.publisher.ready && inFlight.length < this.batchesInFlight;
        if (mayTake) {
          this.pending = false;
          const batch = await this.publishBatch(drain, lastMarked);
          lastMarked = batch.marked;
          inFlight.push(batch);
          if (batch.taken === this.batchSize) this.pending = true;
          continue;
        }
        const oldest = inFlight.shift();
        if (!oldest) return;
        // One that rolled back is in `drain.rolledBack`, thrown above.
        await oldest.marked;
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'outbox relay pass failed; will retry');
    } finally {
      await Promise.all(inFlight.map((batch) => batch.marked));
    }
  }

  /**
   * One transaction: lock due rows and publish them; then, in the background, wait for the
   * broker's confirms and, once the batch before is marked (`previous`), mark them and commit
   * (or roll back, if that one did, and tell the `drain`). Resolves once the rows are published;
   * rejects if they could not be taken, or if a batch of the drain rolled back meanwhile,
   * publishing nothing.
   */
  private async publishBatch(drain: Drain, previous: Promise<Marked>): Promise<PublishedBatch> {
    const client = await this.pool.connect();
    // Waiting for confirms, the connection runs no query: if it is lost then (Postgres restarted,
    // the backend terminated), pg reports it as an `error` event that would crash the process
    // unheard. Heard here, the batch's next query fails, and the batch is rolled back.
    const lost = (error: Error) => this.options.logger.warn({ err: error }, 'relay lost its database connection');
    client.on('error', lost);
    const free = () => {
      client.off('error', lost);
      client.release();
    };
    const rollBack = async () => {
      await client.query('ROLLBACK').catch(() => undefined);
      free();
    };
    let rows: OutboxRow[];
    let published: Promise<PromiseSettledResult<void>[]>;
    try {
      await client.query(BEGIN_DRAIN);
      ({ rows } = await client.query<OutboxRow>(DUE_ROWS, [this.batchSize]));
      // A batch in flight rolled back while these rows were read: they may be its rows, freed.
      if (drain.rolledBack) throw drain.rolledBack.error;
      if (rows.length > 0) this.options.failpoint('relay:after-commit-before-publish');
      published = Promise.allSettled(rows.map((row) => this.publish(row)));
    } catch (error) {
      await rollBack();
      throw error;
    }
    const marked = this.markBatch(client, rows, published, previous).then(
      (): Marked => {
        free();
        return { committed: true };
      },
      async (error: unknown): Promise<Marked> => {
        drain.rolledBack ??= { error };
        await rollBack();
        return { committed: false };
      },
    );
    return { taken: rows.length, marked };
  }

  /** Marks what the broker confirmed sent and records the failures, then commits. */
  private async markBatch(
    client: pg.PoolClient,
    rows: OutboxRow[],
    published: Promise<PromiseSettledResult<void>[]>,
    previous: Promise<Marked>,
  ): Promise<void> {
    const outcomes = await published;
    // Rows published after a batch that rolled back go back too, to be sent again in order after it.
    const before = await previous;
    if (!before.committed) throw new Error('the batch published before this one was not marked sent');
    if (rows.length > 0) this.options.failpoint('relay:after-publish-before-mark-sent');
    this.report(rows, outcomes);
    const sent = rows.filter((_, index) => outcomes[index]?.status === 'fulfilled').map((row) => row.id);
    if (sent.length > 0) await client.query('UPDATE outbox SET sent_at = now() WHERE id = ANY($1::uuid[])', [sent]);
    await this.recordFailures(client, rows, outcomes);
    await client.query('COMMIT');
  }

  /** Publishes a row in a PRODUCER span continuing the trace it was written in, whose context travels in the headers. */
  private async publish(row: OutboxRow): Promise<void> {
    const { exchange, appId } = this.options;
    const body = Buffer.from(JSON.stringify(row.payload));
    const { correlationId } = row.payload;
    const facts = { exchange, routingKey: row.type, messageId: row.id, correlationId, bodySize: body.length };
    return tracedPublish(contextFrom(row.trace_context), facts, (traceHeaders) =>
      this.options.publisher.publish(exchange, row.type, body, {
        messageId: row.id,
        type: row.type,
        contentType: 'application/json',
        timestamp: Math.floor(row.created_at.getTime() / 1000),
        persistent: true,
        mandatory: true,
        appId,
        ...(correlationId && { correlationId }),
        headers: {
          ...traceHeaders,
          'x-schema-version': row.payload.schemaVersion ?? 1,
          'x-aggregate-version': row.aggregate_version,
        },
      }),
    );
  }

  /** Tells the observer what became of each row; a lost broker failing every row at once is no publish failure. */
  private report(rows: OutboxRow[], outcomes: PromiseSettledResult<void>[]): void {
    const brokerLost = !this.options.publisher.ready;
    for (const [index, outcome] of outcomes.entries()) {
      const { type } = rows[index]!;
      if (outcome.status === 'fulfilled') this.observer.published(type);
      else if (!brokerLost) this.observer.publishFailed(type, outcome.reason instanceof Unroutable);
    }
  }

  private async recordFailures(
    client: pg.PoolClient,
    rows: OutboxRow[],
    outcomes: PromiseSettledResult<void>[],
  ): Promise<void> {
    // A lost broker fails every row at once: leave them untouched, the reconnect retries them.
    if (!this.options.publisher.ready) return;
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.status === 'fulfilled') continue;
      const row = rows[index]!;
      const message = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      this.logFailure(row, outcome.reason);
      await client.query(
        `UPDATE outbox SET attempts = attempts + 1, last_error = $2,
                next_attempt_at = now() + make_interval(secs => $3::float8 / 1000)
          WHERE id = $1`,
        [row.id, message, publishBackoffMs(row.attempts)],
      );
    }
  }

  private logFailure(row: OutboxRow, reason: unknown): void {
    if (reason instanceof Unroutable) {
      const { exchange, routingKey } = reason;
      this.options.logger.warn(
        { outboxId: row.id, exchange, routingKey },
        'no queue took the event; will retry the row',
      );
    } else {
      this.options.logger.warn({ outboxId: row.id, err: reason }, 'publish failed; will retry the row');
    }
  }
}
