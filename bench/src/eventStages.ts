import { queryRows } from '@potluck/testing';
import { summarize } from './stats.js';

/**
 * Where the events of a latency run spent their time, from the services' own timestamps
 * (one clock, millisecond precision): the mutation's transaction start (`outbox.created_at`)
 * → the start of the relay transaction that published it (`sent_at`) → the start of the
 * consumer transaction that applied it (`inbox.received_at`). Call it before queuing more events.
 */
export async function measureStages(recipesDb: string, commentsDb: string) {
  const published = await queryRows(
    recipesDb,
    `SELECT id::text AS id, extract(epoch FROM created_at) * 1000 AS created, extract(epoch FROM sent_at) * 1000 AS sent
       FROM outbox WHERE sent_at IS NOT NULL`,
  );
  const applied = await queryRows(
    commentsDb,
    'SELECT message_id::text AS id, extract(epoch FROM received_at) * 1000 AS received FROM inbox',
  );
  const receivedAt = new Map(applied.map((row) => [String(row.id), Number(row.received)]));
  const toRelay: number[] = [];
  const toConsumer: number[] = [];
  for (const row of published) {
    const received = receivedAt.get(String(row.id));
    if (received === undefined) continue;
    toRelay.push(Number(row.sent) - Number(row.created));
    toConsumer.push(received - Number(row.sent));
  }
  return { events: toRelay.length, mutationToRelayMs: summarize(toRelay), relayToConsumerMs: summarize(toConsumer) };
}
