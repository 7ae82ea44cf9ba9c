import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { OUTBOX_CHANNEL } from '@potluck/messaging';
import { recipeEventFixture } from '@potluck/testing';
import { round } from './stats.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BacklogTarget {
  recipesDb: string;
  commentsDb: string;
}

/** An event queued in the outbox, and the recipe it creates. */
export interface QueuedEvent {
  eventId: string;
  recipeId: string;
}

/**
 * Queues `count` recipe.created events in the outbox, not due for an hour: nothing publishes them until they are
 * released. Returns the last one queued: one relay sends the backlog in the order it was queued (with several,
 * the last may go out before others, and only the count that follows its lookup says the drain is done).
 */
export async function insertBacklog(recipesDb: string, count: number): Promise<QueuedEvent> {
  const client = new pg.Client({ connectionString: recipesDb });
  await client.connect();
  let last: QueuedEvent = { eventId: '', recipeId: '' };
  try {
    await client.query('BEGIN');
    for (let offset = 0; offset < count; offset += 1000) {
      const events = Array.from({ length: Math.min(1000, count - offset) }, () =>
        recipeEventFixture('recipe.created', uuidv7(), 1, uuidv7()),
      );
      await client.query(
        `INSERT INTO outbox (id, type, aggregate_id, aggregate_version, payload, next_attempt_at)
         SELECT (e->>'id')::uuid, e->>'type', (e->>'aggregateId')::uuid, 1, e, now() + interval '1 hour'
           FROM jsonb_array_elements($1::jsonb) AS e`,
        [JSON.stringify(events)],
      );
      const { id, aggregateId } = events.at(-1)!;
      last = { eventId: id, recipeId: aggregateId };
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
  return last;
}

async function scalar(client: pg.Client, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await client.query<{ n: string | number }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Polls `done` every 20 ms until it holds or the deadline passes, and returns when it first held. Each poll asks
 * first what one primary-key lookup can tell (`nearly`), and only then what `done` must count, so the checks cost
 * Postgres little beside the relays and consumers they time (they once opened two connections and counted two
 * tables every 20 ms, as busy as the relay's own queries).
 */
async function timeUntil(nearly: () => Promise<boolean>, done: () => Promise<boolean>, deadline: number) {
  while (performance.now() < deadline) {
    if ((await nearly()) && (await done())) return performance.now();
    await sleep(20);
  }
  return undefined;
}

/** One connection to each database for a drain's checks, held while it runs. */
export interface DrainClients {
  recipes: pg.Client;
  comments: pg.Client;
  close(): Promise<void>;
}

/** A connection that fails mid-drain fails the next check with its error, rather than the process with an unhandled one. */
function drainClient(url: string): pg.Client {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  return client;
}

export async function openDrainClients(recipesDb: string, commentsDb: string): Promise<DrainClients> {
  const [recipes, comments] = [drainClient(recipesDb), drainClient(commentsDb)];
  const close = async () => void (await Promise.allSettled([recipes.end(), comments.end()]));
  const connected = await Promise.allSettled([recipes.connect(), comments.connect()]);
  const failed = connected.find((result) => result.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  return { recipes, comments, close };
}

/**
 * Releases a queued backlog at once: an update fires no insert trigger, so the NOTIFY wakes the relays as an insert
 * would (else they start at their next poll, up to a second later).
 */
export async function releaseBacklog(db: DrainClients): Promise<void> {
  await db.recipes.query(`UPDATE outbox SET next_attempt_at = now() WHERE sent_at IS NULL; NOTIFY ${OUTBOX_CHANNEL}`);
}

/**
 * When the relays had sent the whole outbox (`relayDone`) and when the consumers' replica held `replicaRows` rows
 * (`consumerDone`); undefined for what the deadline passed first. Each check looks for the backlog's `last` event
 * before it counts.
 */
export async function waitForDrain(db: DrainClients, last: QueuedEvent, replicaRows: number, deadline: number) {
  const relayDone = await timeUntil(
    async () =>
      (await scalar(db.recipes, 'SELECT count(*) AS n FROM outbox WHERE id = $1 AND sent_at IS NOT NULL', [
        last.eventId,
      ])) === 1,
    async () => (await scalar(db.recipes, 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL')) === 0,
    deadline,
  );
  const consumerDone = await timeUntil(
    async () =>
      (await scalar(db.comments, 'SELECT count(*) AS n FROM recipe_replica WHERE id = $1', [last.recipeId])) === 1,
    async () => (await scalar(db.comments, 'SELECT count(*) AS n FROM recipe_replica')) >= replicaRows,
    deadline,
  );
  return { relayDone, consumerDone };
}

/** Queues a backlog that is not yet due, releases it at once, and times the relay (and the consumer) draining it. */
export async function measureBacklog(stack: BacklogTarget, backlog: number) {
  const db = await openDrainClients(stack.recipesDb, stack.commentsDb);
  try {
    const replicaBefore = await scalar(db.comments, 'SELECT count(*) AS n FROM recipe_replica');
    const last = await insertBacklog(stack.recipesDb, backlog);
    const start = performance.now();
    await releaseBacklog(db);
    const { relayDone, consumerDone } = await waitForDrain(db, last, replicaBefore + backlog, start + 120_000);
    return drainResult(backlog, start, relayDone, consumerDone);
  } finally {
    await db.close();
  }
}

function drainResult(backlog: number, start: number, relayDone?: number, consumerDone?: number) {
  const perSecond = (done?: number) => (done ? round(backlog / ((done - start) / 1000), 0) : 0);
  return {
    events: backlog,
    relaySeconds: relayDone ? round((relayDone - start) / 1000, 2) : null,
    relayEventsPerSecond: perSecond(relayDone),
    consumerSeconds: consumerDone ? round((consumerDone - start) / 1000, 2) : null,
    consumerEventsPerSecond: perSecond(consumerDone),
  };
}
