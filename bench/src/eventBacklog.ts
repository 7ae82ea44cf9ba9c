import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { OUTBOX_CHANNEL } from '@potluck/messaging';
import { queryRows, recipeEventFixture } from '@potluck/testing';
import { round } from './stats.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BacklogTarget {
  recipesDb: string;
  commentsDb: string;
}

/** Queues `count` recipe.created events in the outbox, not due for an hour: nothing publishes them until they are released. */
export async function insertBacklog(recipesDb: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: recipesDb });
  await client.connect();
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
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

async function scalar(url: string, sql: string): Promise<number> {
  const [row] = await queryRows(url, sql);
  return Number(row?.n);
}

/** Queues a backlog that is not yet due, releases it at once, and times the relay (and the consumer) draining it. */
export async function measureBacklog(stack: BacklogTarget, backlog: number) {
  const replicaBefore = await scalar(stack.commentsDb, 'SELECT count(*) AS n FROM recipe_replica');
  await insertBacklog(stack.recipesDb, backlog);
  const start = performance.now();
  await scalar(
    stack.recipesDb,
    'WITH released AS (UPDATE outbox SET next_attempt_at = now() WHERE sent_at IS NULL RETURNING 1) SELECT count(*) AS n FROM released',
  );
  // An update fires no insert trigger: wake the relay as an insert would, or it starts at its next poll (up to a second).
  await queryRows(stack.recipesDb, `NOTIFY ${OUTBOX_CHANNEL}`);
  let relayDone: number | undefined;
  let consumerDone: number | undefined;
  const deadline = start + 120_000;
  while ((!relayDone || !consumerDone) && performance.now() < deadline) {
    if (!relayDone && (await scalar(stack.recipesDb, 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL')) === 0)
      relayDone = performance.now();
    if (
      !consumerDone &&
      (await scalar(stack.commentsDb, 'SELECT count(*) AS n FROM recipe_replica')) >= replicaBefore + backlog
    )
      consumerDone = performance.now();
    await sleep(20);
  }
  const perSecond = (done?: number) => (done ? round(backlog / ((done - start) / 1000), 0) : 0);
  return {
    events: backlog,
    relaySeconds: relayDone ? round((relayDone - start) / 1000, 2) : null,
    relayEventsPerSecond: perSecond(relayDone),
    consumerSeconds: consumerDone ? round((consumerDone - start) / 1000, 2) : null,
    consumerEventsPerSecond: perSecond(consumerDone),
  };
}
