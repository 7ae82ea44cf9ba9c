import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@potluck/testing';
import { commitToOutbox, startTestRelay, type TestRelay } from './relayHarness.js';
import { openTestPool, recipeEvent, type TestPool } from './support.js';

let database: TestPool;
let run: TestRelay;
let appended: string[];
let warnings: Array<Record<string, unknown>>;

beforeAll(async () => {
  database = await openTestPool();
});

afterAll(() => database.close());

beforeEach(async () => {
  appended = [];
  warnings = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  // A quick poll: NOTIFY only announces new rows; a backed-off row comes due on the poll.
  run = await startTestRelay({ databaseUrl: database.url, logger, pollIntervalMs: 100 });
});

afterEach(async () => {
  await run.stop();
  // The database is shared by this file's tests: its held rows must not reach the next test's relay.
  await database.pool.query('DELETE FROM outbox WHERE id = ANY($1::uuid[])', [appended]);
});

async function commitEvents(count: number): Promise<string[]> {
  const events = Array.from({ length: count }, () => recipeEvent('recipe.created', crypto.randomUUID(), 1));
  const ids = await commitToOutbox(database.pool, events);
  appended.push(...ids);
  return ids;
}

interface OutboxState {
  id: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
}

async function rowsOf(ids: string[]): Promise<OutboxState[]> {
  const { rows } = await database.pool.query<OutboxState>(
    'SELECT id::text, attempts, last_error, sent_at FROM outbox WHERE id = ANY($1::uuid[]) ORDER BY position',
    [ids],
  );
  return rows;
}

function triedAtLeast(ids: string[], attempts: number) {
  return waitFor(
    async () => {
      const rows = await rowsOf(ids);
      return rows.every((row) => row.sent_at !== null || row.attempts >= attempts) ? rows : undefined;
    },
    { what: `${attempts} publish attempts of each row` },
  );
}

describe('outbox relay with no queue bound', () => {
  it('keeps the rows unsent, records each attempt and why, and warns once per attempt', async () => {
    const ids = await commitEvents(3);
    await triedAtLeast(ids, 2);
    await run.relay.stop();

    for (const row of await rowsOf(ids)) {
      expect(row.sent_at).toBeNull();
      expect(row.attempts).toBeGreaterThanOrEqual(2);
      expect(row.last_error).toMatch(/unroutable/i);
      expect(row.last_error).toContain(run.exchange);
      expect(row.last_error).toContain('recipe.created');
      const logged = warnings.filter((line) => line.outboxId === row.id);
      expect(logged).toHaveLength(row.attempts);
      expect(logged[0]).toMatchObject({ level: 40, exchange: run.exchange, routingKey: 'recipe.created' });
    }
  });

  it('delivers the held rows in order, before newer ones, and marks them sent once a queue is bound', async () => {
    const held = await commitEvents(3);
    // The third failure backs the rows off for 2 s: newer rows come due long before them.
    await triedAtLeast(held, 3);
    const received = await run.receive();
    const newer = await commitEvents(2);

    await waitFor(() => (received.length >= 5 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the held and the newer events',
    });
    expect(received.map((message) => message.id)).toEqual([...held, ...newer]);
    await waitFor(
      async () => ((await rowsOf([...held, ...newer])).every((row) => row.sent_at !== null) ? true : undefined),
      { what: 'rows marked sent' },
    );
  });
});
