import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { declareEventExchanges } from '@potluck/testing';
import { brokerNames, declareExchange, EXCHANGE_RECHECK_MS, Publisher } from '../src/index.js';
import { openInboxDatabase, startTestConsumer, type InboxDatabase, type TestConsumer } from './consumerHarness.js';
import { recipeEvent } from './support.js';

let database: InboxDatabase;
let run: TestConsumer | undefined;

beforeAll(async () => {
  database = await openInboxDatabase();
});
afterAll(() => database?.close());
afterEach(async () => {
  await run?.stop();
  run = undefined;
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a consumer started before its producer', () => {
  it('waits for the producer to declare its exchange, never declaring it, then consumes on the same connection', async () => {
    run = await startTestConsumer(database, { behaviour: () => undefined, declareExchange: false });
    const { consumer, topology, prefix } = run;
    // The process's own publisher shares the connection: waiting must not disturb it.
    const publisher = new Publisher(run.broker, (channel) =>
      declareExchange(channel, brokerNames(prefix).exchange('comments')),
    );

    await pause(4 * EXCHANGE_RECHECK_MS);
    expect(consumer.running).toBe(false);
    expect(consumer.problem).toBe(`the exchange ${topology.exchange} does not exist yet (its producer declares it)`);
    expect(publisher.ready).toBe(true);
    const exchangeNow = () => run!.broker.withChannel((channel) => channel.checkExchange(topology.exchange));
    await expect(exchangeNow()).rejects.toThrow(/NOT_FOUND/);

    await declareEventExchanges(prefix);
    const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    await expect.poll(() => consumer.running, { timeout: 10 * EXCHANGE_RECHECK_MS }).toBe(true);
    expect(consumer.problem).toBeUndefined();
    await run.publish(event.type, event, event.id);
    await run.waitApplied(event.id);
    expect(run.connects).toBe(1);
    expect(publisher.ready).toBe(true);
  });
});
