import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ValidEvent } from '@potluck/events';
import {
  createTestDatabase,
  deleteBrokerTopology,
  testAmqpUrl,
  uniqueAmqpPrefix,
  waitFor,
  type TestDatabase,
} from '@potluck/testing';
import {
  Broker,
  InboxConsumer,
  consumerTopology,
  countParked,
  listParked,
  type ConsumerTopology,
} from '../src/index.js';
import { noFailpoints, openTestChannel, pgTransactions, recipeEvent, silent } from './support.js';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('comments');
  pool = new pg.Pool({ connectionString: database.url });
  await pool.query('CREATE TABLE applied (event_id uuid, recipe_id uuid, version int)');
});

afterAll(async () => {
  await pool.end();
  await database.drop();
});

const MAX_BODY_BYTES = 4096;
let prefix: string;
let topology: ConsumerTopology;
let broker: Broker;
let consumer: InboxConsumer<Parameters<Parameters<ReturnType<typeof pgTransactions>>[0]>[0]>;
let test: Awaited<ReturnType<typeof openTestChannel>>;
/** Broker connections made so far: more than one means something reset the connection. */
let connects: number;
/** What the handler does before recording an event; throwing makes the handling fail. */
let behaviour: (event: ValidEvent) => void;

beforeEach(async () => {
  prefix = uniqueAmqpPrefix();
  behaviour = () => undefined;
  connects = 0;
  topology = consumerTopology({
    prefix,
    consumer: 'comments',
    producer: 'recipes',
    bindings: ['recipe.created', 'recipe.updated'],
    deliveryLimit: 5,
  });
  broker = new Broker({ url: testAmqpUrl(), logger: silent });
  broker.onConnect(() => (connects += 1));
  consumer = new InboxConsumer({
    broker,
    topology,
    transaction: pgTransactions(pool),
    handle: async (event, tx) => {
      behaviour(event);
      await tx.query('INSERT INTO applied VALUES ($1, $2, $3)', [event.id, event.aggregateId, event.aggregateVersion]);
    },
    logger: silent,
    failpoint: noFailpoints,
    maxAttempts: 3,
    retryBaseDelayMs: 50,
    retryMaxDelayMs: 200,
    maxBodyBytes: MAX_BODY_BYTES,
  });
  await broker.start();
  await waitFor(() => (consumer.running ? true : undefined), { what: 'the consumer to start' });
  test = await openTestChannel();
});

afterEach(async () => {
  await consumer.stop();
  await broker.close();
  await test.close();
  await deleteBrokerTopology(prefix);
});

async function appliedCount(eventId: string): Promise<number> {
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM applied WHERE event_id = $1', [eventId]);
  return rows[0].n;
}

const waitApplied = (eventId: string) =>
  waitFor(async () => ((await appliedCount(eventId)) > 0 ? true : undefined), { what: `event ${eventId} applied` });

/** Makes the handler throw `error` for this event the first `times` deliveries; returns when each delivery came. */
function failFirst(eventId: string, times: number, error: () => unknown): number[] {
  const deliveries: number[] = [];
  behaviour = (event) => {
    if (event.id !== eventId) return;
    deliveries.push(performance.now());
    if (deliveries.length <= times) throw error();
  };
  return deliveries;
}

describe('a consumer given hostile headers', () => {
  it('retries a message with a garbage attempt count without resetting the connection, and its neighbour is applied', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    const neighbour = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    failFirst(event.id, 2, () => new Error('a bug that goes away'));
    await test.publish(topology.exchange, event.type, event, event.id, {
      headers: { 'x-potluck-attempts': 'abc', 'potluck-attempts': 'abc', 'potluck-retries': { nested: true } },
    });
    await test.publish(topology.exchange, neighbour.type, neighbour, neighbour.id);

    await waitApplied(neighbour.id);
    await waitApplied(event.id);
    expect(connects).toBe(1);
    expect(await appliedCount(neighbour.id)).toBe(1);
    expect(await listParked(testAmqpUrl(), topology)).toEqual([]);
  });

  it('does not carry a forged x-death into the retry queue, where the broker would choke on it', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    failFirst(event.id, 2, () => new Error('a bug that goes away'));
    const forged = [{ queue: topology.retryQueue, reason: 'expired', count: 'abc' }, 'junk'];
    await test.publish(topology.exchange, event.type, event, event.id, { headers: { 'x-death': forged } });

    await waitApplied(event.id);
    expect(connects).toBe(1);
    expect(await listParked(testAmqpUrl(), topology)).toEqual([]);
  });

  it('moves a message whose headers the client library cannot write back, instead of holding it forever', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    failFirst(event.id, 1, () => new Error('a bug that goes away'));
    // A double the broker accepts, decoded as a JavaScript number that amqplib's encoder takes for an int64.
    const odd = { weight: { '!': 'double', value: 2 ** 50 + 0.5 } };
    await test.publish(topology.exchange, event.type, event, event.id, { headers: odd });

    await waitApplied(event.id);
    expect(connects).toBe(1);
  });
});

describe('a consumer facing failures', () => {
  it('retries a transient failure past the attempt limit, with a delay each time, and never parks it', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const deliveries = failFirst(event.id, 6, refused);
    await test.publish(topology.exchange, event.type, event, event.id);

    await waitApplied(event.id);
    expect(deliveries).toHaveLength(7);
    const gaps = deliveries.slice(1).map((at, index) => at - deliveries[index]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(40);
    expect(await listParked(testAmqpUrl(), topology)).toEqual([]);
  });

  it('parks a body over the size limit as too-large, unread, and keeps flowing', async () => {
    const huge = { type: 'recipe.created', padding: 'x'.repeat(MAX_BODY_BYTES) };
    await test.publish(topology.exchange, 'recipe.created', huge);
    const after = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    await test.publish(topology.exchange, after.type, after, after.id);

    await waitApplied(after.id);
    const [parked] = await waitFor(async () => {
      const messages = await listParked(testAmqpUrl(), topology);
      return messages.length === 1 ? messages : undefined;
    });
    expect(parked).toMatchObject({ reason: 'too-large', bodyBytes: JSON.stringify(huge).length });
    expect(parked?.error).toMatch(/over the limit of 4096/);
  });
});

describe('the parked listing', () => {
  it('reads at most the limit, cuts bodies short, and leaves every message parked in order', async () => {
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    for (const id of ids) await test.publish(topology.exchange, 'recipe.created', `{not json ${'y'.repeat(100)}`, id);
    await waitFor(async () => ((await countParked(testAmqpUrl(), topology)) === 3 ? true : undefined), {
      what: 'three parked messages',
    });

    const listed = await listParked(testAmqpUrl(), topology, { limit: 2, maxBodyBytes: 10 });
    expect(listed.map((message) => message.messageId)).toEqual(ids.slice(0, 2));
    expect(listed.map((message) => [message.body, message.bodyBytes])).toEqual([
      ['{not json ', 110],
      ['{not json ', 110],
    ]);
    expect(await countParked(testAmqpUrl(), topology)).toBe(3);
    expect((await listParked(testAmqpUrl(), topology)).map((message) => message.messageId)).toEqual(ids);
  });
});
