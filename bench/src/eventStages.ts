import { queryRows } from '@potluck/testing';
import { round, summarize } from './stats.js';
import { percentilePoints } from './distributions.js';

/**
 * The slowest 1% of events end to end (mutation → consumer, at least one event), and on
 * average how much of their wait each stage took: the stages' own p99s may come from
 * different events, this does not.
 */
export function slowestPercent(toRelay: number[], toConsumer: number[]) {
  if (toRelay.length === 0) return null;
  const totalOf = (index: number) => toRelay[index]! + toConsumer[index]!;
  const slowest = toRelay
    .map((_, index) => index)
    .sort((a, b) => totalOf(b) - totalOf(a))
    .slice(0, Math.ceil(toRelay.length / 100));
  const mean = (values: number[]) => round(slowest.reduce((sum, index) => sum + values[index]!, 0) / slowest.length);
  return {
    events: slowest.length,
    fromMs: round(totalOf(slowest.at(-1)!)),
    mutationToRelayMs: mean(toRelay),
    relayToConsumerMs: mean(toConsumer),
  };
}

/**
 * Where the events of a latency run spent their time, from the services' own timestamps
 * (one clock, millisecond precision): the mutation's transaction start (`outbox.created_at`)
 * → the start of the relay transaction that published it (`sent_at`) → the start of the
 * consumer transaction that applied it (`inbox.received_at`), for the events written from
 * `since` (epoch ms) on. Call it before queuing more events.
 */
export async function measureStages(recipesDb: string, commentsDb: string, since: number) {
  const published = await queryRows(
    recipesDb,
    `SELECT id::text AS id, extract(epoch FROM created_at) * 1000 AS created, extract(epoch FROM sent_at) * 1000 AS sent
       FROM outbox WHERE sent_at IS NOT NULL AND created_at >= to_timestamp($1::float8 / 1000.0)`,
    [since],
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
  return {
    events: toRelay.length,
    mutationToRelayMs: summarize(toRelay),
    relayToConsumerMs: summarize(toConsumer),
    percentilesMs: { mutationToRelay: percentilePoints(toRelay), relayToConsumer: percentilePoints(toConsumer) },
    slowestPercent: slowestPercent(toRelay, toConsumer),
  };
}
