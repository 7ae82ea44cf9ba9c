import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendToOutbox } from '@potluck/messaging';
import { waitFor, type TcpProxy } from '@potluck/testing';
import { commitToOutbox, startProxiedRelay, type Received, type TestRelay } from './relayHarness.js';
import { openTestPool, pgTransactions, recipeEvent, type TestPool } from './support.js';

let database: TestPool;
let proxy: TcpProxy;
let run: TestRelay;
let received: Received[];

beforeAll(async () => {
  database = await openTestPool();
});

afterAll(() => database.close());

beforeEach(async () => {
  ({ run, proxy } = await startProxiedRelay({ databaseUrl: database.url }));
  received = await run.receive();
});

afterEach(async () => {
  await run.stop();
  await proxy.close();
});

function commitEvents(count: number): Promise<string[]> {
  const events = Array.from({ length: count }, (_, index) =>
    recipeEvent('recipe.created', crypto.randomUUID(), 1 + index),
  );
  return commitToOutbox(database.pool, events);
}

async function unsent(ids: string[]) {
  const { rows } = await database.pool.query(
    'SELECT id::text, attempts FROM outbox WHERE sent_at IS NULL AND id = ANY($1::uuid[])',
    [ids],
  );
  return rows as Array<{ id: string; attempts: number }>;
}

describe('outbox relay', () => {
  it('publishes committed rows promptly and in order, as persistent messages, and marks them sent', async () => {
    const ids = await commitEvents(5);
    await waitFor(() => (received.length >= 5 ? true : undefined), { timeoutMs: 3000, what: 'five messages' });
    expect(received.map((message) => message.id)).toEqual(ids);
    expect(received[0]?.properties as unknown).toMatchObject({
      type: 'recipe.created',
      contentType: 'application/json',
      deliveryMode: 2,
      appId: 'recipes',
    });
    expect(received[0]?.properties.headers).toMatchObject({ 'x-schema-version': 1, 'x-aggregate-version': 1 });
    expect(received[0]?.properties.correlationId).toBeUndefined();
    await waitFor(async () => ((await unsent(ids)).length === 0 ? true : undefined), { what: 'rows marked sent' });
    expect(await run.relay.stats()).toEqual({ backlog: 0, oldestAgeMs: 0 });
  });

  it('publishes an event’s correlation id as the message’s correlationId', async () => {
    const event = { ...recipeEvent('recipe.created', crypto.randomUUID(), 1), correlationId: 'req-42' };
    await pgTransactions(database.pool)(async (tx) => appendToOutbox(tx, event));
    const message = await waitFor(() => received.find((candidate) => candidate.id === event.id));
    expect(message.properties.correlationId).toBe('req-42');
  });

  it('keeps rows through a broker outage, without counting it against them, and sends them when the link returns', async () => {
    proxy.cut();
    await waitFor(() => (run.broker.connected ? undefined : true), { what: 'the broker to be seen as down' });
    const ids = await commitEvents(3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await unsent(ids)).map((row) => row.attempts)).toEqual([0, 0, 0]);
    expect((await run.relay.stats()).backlog).toBeGreaterThanOrEqual(3);

    proxy.restore();
    await waitFor(() => (ids.every((id) => received.some((message) => message.id === id)) ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the held events after the link returned',
    });
    await waitFor(async () => ((await unsent(ids)).length === 0 ? true : undefined), { what: 'rows marked sent' });
  });

  it('on stop, waits for the confirms of the batch in flight and marks its rows sent before closing', async () => {
    proxy.holdReplies();
    const ids = await commitEvents(3);
    await waitFor(() => (received.length >= 3 ? true : undefined), { what: 'the batch to be published' });
    expect(await unsent(ids)).toHaveLength(3);

    let stopped = false;
    const stopping = run.relay.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stopped).toBe(false);

    proxy.releaseReplies();
    await stopping;
    expect(await unsent(ids)).toEqual([]);
  });

  it('deletes sent rows and inbox rows past the retention, and keeps unsent ones', async () => {
    const [old] = await commitEvents(1);
    await waitFor(async () => ((await unsent([old!])).length === 0 ? true : undefined));
    await database.pool.query("UPDATE outbox SET sent_at = now() - interval '8 days' WHERE id = $1", [old]);
    await database.pool.query("UPDATE outbox SET next_attempt_at = now() + interval '1 hour'");
    const [waiting] = await pgTransactions(database.pool)(async (tx) => {
      const event = recipeEvent('recipe.updated', crypto.randomUUID(), 2);
      await tx.query(
        "INSERT INTO outbox (id, type, aggregate_id, aggregate_version, payload, next_attempt_at) VALUES ($1, $2, $3, 2, $4, now() + interval '1 hour')",
        [event.id, event.type, event.aggregateId, JSON.stringify(event)],
      );
      return [event.id];
    });

    const [oldSeen, newSeen] = [crypto.randomUUID(), crypto.randomUUID()];
    await database.pool.query(
      "INSERT INTO inbox (message_id, type, received_at) VALUES ($1, 't', now() - interval '8 days'), ($2, 't', now())",
      [oldSeen, newSeen],
    );

    expect(await run.relay.deleteOldRows()).toBeGreaterThanOrEqual(2);
    const inbox = await database.pool.query('SELECT message_id::text FROM inbox WHERE message_id = ANY($1::uuid[])', [
      [oldSeen, newSeen],
    ]);
    expect(inbox.rows.map((row) => row.message_id)).toEqual([newSeen]);
    const { rows } = await database.pool.query('SELECT id::text FROM outbox WHERE id = ANY($1::uuid[])', [
      [old, waiting],
    ]);
    expect(rows.map((row) => row.id)).toEqual([waiting]);
  });
});
