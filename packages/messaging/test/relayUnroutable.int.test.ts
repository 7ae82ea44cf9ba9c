import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendToOutbox } from '@potluck/events';
import {
  createTestDatabase,
  deleteBrokerTopology,
  testAmqpUrl,
  uniqueAmqpPrefix,
  waitFor,
  type TestDatabase,
} from '@potluck/testing';
import { Broker, OutboxRelay, Publisher, declareExchange, exchangeName } from '../src/index.js';
import { noFailpoints, openTestChannel, pgTransactions, recipeEvent, silent } from './support.js';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('recipes');
  pool = new pg.Pool({ connectionString: database.url });
});

afterAll(async () => {
  await pool.end();
  await database.drop();
});

let prefix: string;
let exchange: string;
let broker: Broker;
let relay: OutboxRelay;
let test: Awaited<ReturnType<typeof openTestChannel>>;
let queue: string | undefined;
let appended: string[];
let warnings: Array<Record<string, unknown>>;

beforeEach(async () => {
  prefix = uniqueAmqpPrefix();
  exchange = exchangeName(prefix, 'recipes');
  queue = undefined;
  appended = [];
  warnings = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  broker = new Broker({ url: testAmqpUrl(), logger: silent });
  const publisher = new Publisher(broker, (channel) => declareExchange(channel, exchange));
  // A quick poll: NOTIFY only announces new rows; a backed-off row comes due on the poll.
  relay = new OutboxRelay({
    databaseUrl: database.url,
    broker,
    publisher,
    exchange,
    appId: 'recipes',
    logger,
    failpoint: noFailpoints,
    pollIntervalMs: 100,
  });
  test = await openTestChannel();
  await declareExchange(test.channel, exchange);
  await broker.start();
  await relay.start();
  await waitFor(() => (broker.connected ? true : undefined), { what: 'the broker connection' });
});

afterEach(async () => {
  await relay.stop();
  await broker.close();
  if (queue) await test.channel.deleteQueue(queue);
  await test.close();
  await deleteBrokerTopology(prefix);
  // The database is shared by this file's tests: its held rows must not reach the next test's relay.
  await pool.query('DELETE FROM outbox WHERE id = ANY($1::uuid[])', [appended]);
});

async function commitEvents(count: number): Promise<string[]> {
  const events = Array.from({ length: count }, () => recipeEvent('recipe.created', crypto.randomUUID(), 1));
  await pgTransactions(pool)(async (tx) => {
    for (const event of events) await appendToOutbox(tx, event);
  });
  const ids = events.map((event) => event.id);
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
  const { rows } = await pool.query<OutboxState>(
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

/** Binds a queue to every routing key of the exchange, as a consumer's first start would. */
async function bindQueue(): Promise<string[]> {
  const received: string[] = [];
  queue = (await test.channel.assertQueue('', { exclusive: true })).queue;
  await test.channel.bindQueue(queue, exchange, '#');
  await test.channel.consume(queue, (message) => message && received.push(message.properties.messageId), {
    noAck: true,
  });
  return received;
}

describe('outbox relay with no queue bound', () => {
  it('keeps the rows unsent, records each attempt and why, and warns once per attempt', async () => {
    const ids = await commitEvents(3);
    await triedAtLeast(ids, 2);
    await relay.stop();

    for (const row of await rowsOf(ids)) {
      expect(row.sent_at).toBeNull();
      expect(row.attempts).toBeGreaterThanOrEqual(2);
      expect(row.last_error).toMatch(/unroutable/i);
      expect(row.last_error).toContain(exchange);
      expect(row.last_error).toContain('recipe.created');
      const logged = warnings.filter((line) => line.outboxId === row.id);
      expect(logged).toHaveLength(row.attempts);
      expect(logged[0]).toMatchObject({ level: 40, exchange, routingKey: 'recipe.created' });
    }
  });

  it('delivers the held rows in order, before newer ones, and marks them sent once a queue is bound', async () => {
    const held = await commitEvents(3);
    // The third failure backs the rows off for 2 s: newer rows come due long before them.
    await triedAtLeast(held, 3);
    const received = await bindQueue();
    const newer = await commitEvents(2);

    await waitFor(() => (received.length >= 5 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the held and the newer events',
    });
    expect(received).toEqual([...held, ...newer]);
    await waitFor(
      async () => ((await rowsOf([...held, ...newer])).every((row) => row.sent_at !== null) ? true : undefined),
      { what: 'rows marked sent' },
    );
  });
});
