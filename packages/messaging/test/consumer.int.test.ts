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
  listParked,
  requeueParked,
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

let prefix: string;
let topology: ConsumerTopology;
let broker: Broker;
let consumer: InboxConsumer<Parameters<Parameters<ReturnType<typeof pgTransactions>>[0]>[0]>;
let test: Awaited<ReturnType<typeof openTestChannel>>;
/** What the handler does for a recipe id; by default it records the event. */
let behaviour: (event: ValidEvent) => void;

beforeEach(async () => {
  prefix = uniqueAmqpPrefix();
  behaviour = () => undefined;
  topology = consumerTopology({
    prefix,
    consumer: 'comments',
    producer: 'recipes',
    bindings: ['recipe.created', 'recipe.updated'],
    deliveryLimit: 5,
  });
  broker = new Broker({ url: testAmqpUrl(), logger: silent });
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

describe('inbox consumer', () => {
  it('applies a message delivered twice only once', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    await test.publish(topology.exchange, event.type, event, event.id);
    await test.publish(topology.exchange, event.type, event, event.id);
    const marker = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    await test.publish(topology.exchange, marker.type, marker, marker.id);

    await waitApplied(marker.id);
    expect(await appliedCount(event.id)).toBe(1);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM inbox WHERE message_id = $1', [event.id]);
    expect(rows[0].n).toBe(1);
  });

  it('parks bad JSON, unknown types and contract violations with a reason, and keeps flowing', async () => {
    await test.publish(topology.exchange, 'recipe.created', '{not json');
    await test.publish(topology.exchange, 'recipe.updated', {
      ...recipeEvent('recipe.updated', crypto.randomUUID(), 1),
      type: 'recipe.exploded',
    });
    const broken = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    await test.publish(topology.exchange, 'recipe.created', {
      ...broken,
      data: { ...(broken.data as object), price: 'free' },
    });
    const good = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    await test.publish(topology.exchange, good.type, good, good.id);

    await waitApplied(good.id);
    const parked = await waitFor(
      async () => {
        const messages = await listParked(testAmqpUrl(), topology);
        return messages.length === 3 ? messages : undefined;
      },
      { what: 'three parked messages' },
    );
    expect(parked.map((message) => message.reason)).toEqual(['malformed-json', 'unknown-type', 'contract-violation']);
    expect(parked[2]?.error).toMatch(/price/);
    expect(await appliedCount(broken.id)).toBe(0);
  });

  it('retries a handler that fails transiently, then applies the message once', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    let failures = 0;
    behaviour = (current) => {
      if (current.id === event.id && failures < 2) {
        failures += 1;
        throw new Error('database hiccup');
      }
    };
    await test.publish(topology.exchange, event.type, event, event.id);
    await waitApplied(event.id);
    expect(failures).toBe(2);
    expect(await appliedCount(event.id)).toBe(1);
    expect(await listParked(testAmqpUrl(), topology)).toEqual([]);
  });

  it('parks a message whose handler always fails after the attempt limit, with its last error; requeue replays it', async () => {
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    let calls = 0;
    let healthy = false;
    behaviour = (current) => {
      if (current.id !== event.id || healthy) return;
      calls += 1;
      throw new Error(`broken invariant #${calls}`);
    };
    await test.publish(topology.exchange, event.type, event, event.id);
    const [parked] = await waitFor(
      async () => {
        const messages = await listParked(testAmqpUrl(), topology);
        return messages.length === 1 ? messages : undefined;
      },
      { what: 'the failing message to be parked' },
    );
    expect(calls).toBe(3);
    expect(parked).toMatchObject({ messageId: event.id, reason: 'failed 3 times', attempts: 3 });
    expect(parked?.error).toMatch(/broken invariant #3/);
    expect(await appliedCount(event.id)).toBe(0);

    healthy = true;
    expect(await requeueParked(testAmqpUrl(), topology)).toBe(1);
    await waitApplied(event.id);
    expect(await listParked(testAmqpUrl(), topology)).toEqual([]);
  });
});
