import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { declareEventExchanges, waitFor } from '@potluck/testing';
import { brokerNames, countParkedOn, declareExchange, EXCHANGE_RECHECK_MAX_MS, Publisher } from '../src/index.js';
import { openInboxDatabase, startTestConsumer, type InboxDatabase, type TestConsumer } from './consumerHarness.js';
import { commitToOutbox, startTestRelay } from './relayHarness.js';
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
/** Long enough for the consumer's next look, however far its wait has doubled. */
const NEXT_LOOK_MS = EXCHANGE_RECHECK_MAX_MS + 5000;

describe('a consumer started before its producer', () => {
  it('waits for the producer to declare its exchange, never declaring it, then consumes on the same connection', async () => {
    run = await startTestConsumer(database, { behaviour: () => undefined, declareExchange: false });
    const { consumer, topology, prefix } = run;
    // The process's own publisher shares the connection: waiting must not disturb it.
    const publisher = new Publisher(run.broker, (channel) =>
      declareExchange(channel, brokerNames(prefix).exchange('comments')),
    );

    const waiting = `the exchange ${topology.exchange} does not exist yet (its producer declares it)`;
    await expect.poll(() => consumer.problem, { timeout: NEXT_LOOK_MS }).toBe(waiting);
    await pause(1500); // a few more looks: still waiting, and still on its first connection
    expect(consumer.running).toBe(false);
    expect(run.connects).toBe(1);
    expect(publisher.ready).toBe(true);
    // Its parked-messages gauge reads none, rather than failing (and logging) at every scrape.
    expect(await countParkedOn(run.broker, topology)).toBe(0);
    const exchangeNow = () => run!.broker.withChannel((channel) => channel.checkExchange(topology.exchange));
    await expect(exchangeNow()).rejects.toThrow(/NOT_FOUND/);

    await declareEventExchanges(prefix);
    await expect.poll(() => consumer.running, { timeout: NEXT_LOOK_MS }).toBe(true);
    expect(consumer.problem).toBeUndefined();
    await run.publishAndWaitApplied();
    expect(run.connects).toBe(1);
    expect(publisher.ready).toBe(true);
  }, 40_000);

  it('stopped while it waits, never starts consuming once the exchange appears', async () => {
    run = await startTestConsumer(database, { behaviour: () => undefined, declareExchange: false });
    const { consumer, topology, prefix } = run;
    await expect.poll(() => consumer.problem, { timeout: NEXT_LOOK_MS }).toBeDefined();
    await consumer.stop();
    await declareEventExchanges(prefix);
    await pause(4000); // its waits so far were 0.5 and 1 s: a look would have come
    expect(consumer.running).toBe(false);
    const queueNow = () => run!.broker.withChannel((channel) => channel.checkQueue(topology.workQueue));
    await expect(queueNow()).rejects.toThrow(/NOT_FOUND/);
  }, 30_000);
});

/**
 * The producer's exchange deleted and declared again under a running consumer (its producer's
 * next connect declares it; an operator recreates it): the exchange comes back without the
 * consumer's bindings, and the consumer binds again on its own.
 */
describe('a consumer whose producer’s exchange is deleted and declared again', () => {
  it('says the exchange is gone meanwhile, then binds again and applies what is published to the new one', async () => {
    run = await startTestConsumer(database, { behaviour: () => undefined, bindingCheckMs: 200 });
    const { consumer, topology, prefix } = run;
    await run.broker.withChannel((channel) => channel.deleteExchange(topology.exchange));
    await expect.poll(() => consumer.problem, { timeout: 5000 }).toContain(`no exchange '${topology.exchange}'`);
    expect(consumer.running).toBe(true); // its queue is still there, and consumed

    await declareEventExchanges(prefix);
    await expect.poll(() => consumer.problem, { timeout: 5000 }).toBeUndefined();
    await run.publishAndWaitApplied();
    expect(run.connects).toBe(1);
  }, 30_000);

  it('the producer’s relay declares it again on its own, and its events reach the consumer once bound again', async () => {
    run = await startTestConsumer(database, { behaviour: () => undefined, bindingCheckMs: 200 });
    const { topology, prefix } = run;
    const relay = await startTestRelay({ databaseUrl: database.url, prefix });
    try {
      const before = recipeEvent('recipe.created', crypto.randomUUID(), 1);
      await commitToOutbox(database.pool, [before]);
      await run.waitApplied(before.id);
      await run.broker.withChannel((channel) => channel.deleteExchange(topology.exchange));

      // Its first publish to the missing exchange closes the relay's channel: it opens another.
      const after = recipeEvent('recipe.created', crypto.randomUUID(), 1);
      await commitToOutbox(database.pool, [after]);
      await waitFor(async () => ((await database.appliedCount(after.id)) > 0 ? true : undefined), {
        what: 'the event published after the exchange was deleted',
        timeoutMs: 20_000,
      });
      expect(run.connects).toBe(1);
    } finally {
      await relay.stop();
    }
  }, 40_000);
});
