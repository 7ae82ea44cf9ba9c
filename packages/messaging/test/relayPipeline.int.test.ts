import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, type TcpProxy } from '@potluck/testing';
import { OutboxRelay, type RelayOptions } from '../src/index.js';
import { commitToOutbox, startProxiedRelay, type Received, type TestRelay } from './relayHarness.js';
import { openTestPool, recipeEvent, type TestPool } from './support.js';

let database: TestPool;
let proxy: TcpProxy | undefined;
let run: TestRelay | undefined;
const appended: string[] = [];

beforeAll(async () => {
  database = await openTestPool();
});

afterAll(() => database.close());

afterEach(async () => {
  proxy?.releaseReplies();
  await run?.stop();
  await proxy?.close();
  run = proxy = undefined;
  // The database is shared by this file's tests: rows one left unsent must not reach the next one's relay.
  await database.pool.query('DELETE FROM outbox WHERE id = ANY($1::uuid[])', [appended.splice(0)]);
});

/** A relay taking two rows per batch, whose broker link can hold the broker's confirms. */
async function startRelay(batchesInFlight: number): Promise<{ run: TestRelay; proxy: TcpProxy; received: Received[] }> {
  ({ run, proxy } = await startProxiedRelay({ databaseUrl: database.url, batchSize: 2, batchesInFlight }));
  return { run, proxy, received: await run.receive() };
}

async function commitEvents(count: number): Promise<string[]> {
  const events = Array.from({ length: count }, (_, index) =>
    recipeEvent('recipe.created', crypto.randomUUID(), 1 + index),
  );
  const ids = await commitToOutbox(database.pool, events);
  appended.push(...ids);
  return ids;
}

async function unsentCount(ids: string[]): Promise<number> {
  const { rows } = await database.pool.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM outbox WHERE sent_at IS NULL AND id = ANY($1::uuid[])',
    [ids],
  );
  return rows[0]!.count;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

const receivedAtLeast = (received: Received[], count: number, what: string) =>
  waitFor(() => (received.length >= count ? true : undefined), { what });

const unsentReaches = (ids: string[], count: number, what: string) =>
  waitFor(async () => ((await unsentCount(ids)) === count ? true : undefined), { what });

/** Two batches of two published, their confirms held by the proxy. */
async function twoBatchesUnconfirmed() {
  const started = await startRelay(2);
  started.proxy.holdReplies();
  const ids = await commitEvents(4);
  await receivedAtLeast(started.received, 4, 'two batches published unconfirmed');
  return { ...started, ids };
}

describe('outbox relay, batches in flight', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses %s batches in flight (it would never drain)', (batchesInFlight) => {
    expect(() => new OutboxRelay({ batchesInFlight } as RelayOptions)).toThrow(RangeError);
  });

  it('publishes the next batch while the one before waits for its confirms, no more than allowed at once', async () => {
    const { proxy, received } = await startRelay(2);
    proxy.holdReplies();
    const ids = await commitEvents(6);

    await receivedAtLeast(received, 4, 'two batches published unconfirmed');
    await settle();
    expect(received.map((message) => message.id)).toEqual(ids.slice(0, 4));
    expect(await unsentCount(ids)).toBe(6);

    proxy.releaseReplies();
    await receivedAtLeast(received, 6, 'the third batch');
    expect(received.map((message) => message.id)).toEqual(ids);
    await unsentReaches(ids, 0, 'every row marked sent');
  });

  it('with one in flight, takes the next batch only once the one before is confirmed and marked', async () => {
    const { proxy, received } = await startRelay(1);
    proxy.holdReplies();
    const ids = await commitEvents(4);

    await receivedAtLeast(received, 2, 'the first batch');
    await settle();
    expect(received.map((message) => message.id)).toEqual(ids.slice(0, 2));

    proxy.releaseReplies();
    await receivedAtLeast(received, 4, 'the second batch');
    expect(received.map((message) => message.id)).toEqual(ids);
    await unsentReaches(ids, 0, 'every row marked sent');
  });

  it('rolls a batch back when the one published before it could not be marked, so both are sent again in order', async () => {
    const { run, proxy, received, ids } = await twoBatchesUnconfirmed();

    // The first batch's transaction is the older of the two open; its connection dies before it can mark.
    await terminateRelayTransaction('the older');
    proxy.releaseReplies();
    await waitFor(async () => ((await openTransactions()) === 0 ? true : undefined), { what: 'both batches ended' });
    await settle();
    expect(await unsentCount(ids)).toBe(4);
    expect(received.map((message) => message.id)).toEqual(ids);

    run.relay.nudge();
    await unsentReaches(ids, 0, 'every row sent again');
    expect(received.map((message) => message.id)).toEqual([...ids, ...ids]);
  });

  it('ends the drain when a batch in flight rolled back: its freed rows go out again only on the next pass', async () => {
    const { run, proxy, received, ids } = await twoBatchesUnconfirmed();

    await terminateRelayTransaction('the newer');
    proxy.releaseReplies();
    await unsentReaches(ids, 2, 'the first batch marked');
    await waitFor(async () => ((await openTransactions()) === 0 ? true : undefined), { what: 'the drain to end' });
    await settle();
    expect(received.map((message) => message.id)).toEqual(ids);
    expect(await unsentCount(ids)).toBe(2);

    run.relay.nudge();
    await unsentReaches(ids, 0, 'the second batch sent again');
    expect(received.map((message) => message.id)).toEqual([...ids, ...ids.slice(2)]);
  });
});

/** The relay's transactions still open in this test's database. */
async function openTransactions(): Promise<number> {
  const { rows } = await database.pool.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM pg_stat_activity
      WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`,
  );
  return rows[0]!.count;
}

/** Kills the backend of the older or the newer of the relay's two open transactions. */
async function terminateRelayTransaction(which: 'the older' | 'the newer'): Promise<void> {
  const { rows } = await database.pool.query<{ pid: number }>(
    `SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'idle in transaction'
      ORDER BY xact_start ${which === 'the older' ? 'ASC' : 'DESC'} LIMIT 1`,
  );
  expect(rows).toHaveLength(1);
}
