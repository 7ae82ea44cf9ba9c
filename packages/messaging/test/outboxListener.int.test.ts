import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTcpProxy, waitFor } from '@potluck/testing';
import { OUTBOX_CHANNEL } from '../src/index.js';
import { OutboxListener } from '../src/outboxListener.js';
import { commitToOutbox } from './relayHarness.js';
import { openTestPool, recipeEvent, silent, type TestPool } from './support.js';

let database: TestPool;

beforeAll(async () => {
  database = await openTestPool();
});

afterAll(() => database?.close());

/** Connections to the test database that are listening for outbox inserts. */
async function listening(): Promise<number> {
  const { rows } = await database.pool.query(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = $1',
    [`LISTEN ${OUTBOX_CHANNEL}`],
  );
  return rows[0].n;
}

it('wakes on an outbox insert, and closes its connection on stop', async () => {
  let wakes = 0;
  const listener = new OutboxListener(database.url, () => (wakes += 1), silent);
  await listener.start();
  expect(await listening()).toBe(1);
  const afterStart = wakes;

  await commitToOutbox(database.pool, [recipeEvent('recipe.created', crypto.randomUUID(), 1)]);
  await waitFor(() => (wakes > afterStart ? true : undefined), { what: 'a wake-up after an outbox insert' });

  await listener.stop();
  expect(await listening()).toBe(0);
});

it('stopped while still connecting, closes the connection it was opening', async () => {
  const listener = new OutboxListener(database.url, () => undefined, silent);
  const starting = listener.start();
  await listener.stop();
  await starting;

  expect(await listening()).toBe(0);
});

it('stopped while its connect gets no answer (a partition), stops within the connect timeout', async () => {
  const proxy = await startTcpProxy(5432);
  try {
    proxy.holdReplies();
    const listener = new OutboxListener(proxy.url(database.url), () => undefined, silent);
    const starting = listener.start();
    const stopAsked = performance.now();
    await listener.stop();
    await starting;

    expect(performance.now() - stopAsked).toBeLessThan(8000);
  } finally {
    await proxy.close();
  }
}, 15_000);
