import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { declareEventExchanges, deleteBrokerTopology, testAmqpUrl, uniqueAmqpPrefix } from '@potluck/testing';
import {
  brokerNames,
  consumerQueueDeclarations,
  declareEventTopology,
  declareExchange,
  eventConsumerTopologies,
  EXCHANGE_RECHECK_MAX_MS,
  Publisher,
} from '../src/index.js';
import { openInboxDatabase, startTestConsumer, type InboxDatabase, type TestConsumer } from './consumerHarness.js';
import { openTestChannel, recipeEvent } from './support.js';

/**
 * A deployment declares the consumers' queues before any service starts (`declareEventTopology`,
 * as the broker definitions do): what is published before a consumer first starts waits for it,
 * and a queue declared with other arguments than the consumer's is reported, not fought over.
 */
let database: InboxDatabase;
let run: TestConsumer | undefined;
const prefixes: string[] = [];

beforeAll(async () => {
  database = await openInboxDatabase();
});
afterAll(async () => {
  await database?.close();
  for (const prefix of prefixes) await deleteBrokerTopology(prefix);
});
afterEach(async () => {
  await run?.stop();
  run = undefined;
});

function freshPrefix(): string {
  const prefix = uniqueAmqpPrefix();
  prefixes.push(prefix);
  return prefix;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough for the consumer's next look, however far its wait has doubled. */
const NEXT_LOOK_MS = EXCHANGE_RECHECK_MAX_MS + 5000;

describe('queues declared before their consumer starts', () => {
  it('keep what its producer published before the consumer first started, and the consumer applies it', async () => {
    const prefix = freshPrefix();
    await declareEventTopology(testAmqpUrl(), prefix, 5);
    const [comments] = eventConsumerTopologies(prefix, 5).filter(({ consumer }) => consumer === 'comments');
    const early = recipeEvent('recipe.created', crypto.randomUUID(), 1);
    const test = await openTestChannel();
    try {
      await test.publish(comments!.topology.exchange, early.type, early, early.id);
    } finally {
      await test.close();
    }

    run = await startTestConsumer(database, { behaviour: () => undefined, prefix, declareExchange: false });
    await run.waitApplied(early.id);
    expect(run.connects).toBe(1);
  }, 30_000);

  it('declared with another delivery limit: the consumer says so and waits, its connection and publisher undisturbed, until the queue is gone', async () => {
    const prefix = freshPrefix();
    await declareEventTopology(testAmqpUrl(), prefix, 10);
    run = await startTestConsumer(database, { behaviour: () => undefined, prefix, declareExchange: false });
    const { consumer, topology } = run;
    const publisher = new Publisher(run.broker, (channel) =>
      declareExchange(channel, brokerNames(prefix).exchange('comments')),
    );

    await expect.poll(() => consumer.problem, { timeout: NEXT_LOOK_MS }).toMatch(/x-delivery-limit/);
    expect(consumer.problem).toContain(topology.workQueue);
    expect(consumer.problem).toContain("set EVENT_DELIVERY_LIMIT to the queue's value");
    await pause(1500); // a few more looks: still refused, still on its first connection
    expect(consumer.running).toBe(false);
    expect(run.connects).toBe(1);
    expect(publisher.ready).toBe(true);

    // What an operator does: delete the queue (or set the limit back); the next look takes it.
    const work = consumerQueueDeclarations(topology).find(({ name }) => name === topology.workQueue)!;
    await run.broker.withChannel((channel) => channel.deleteQueue(work.name));
    await expect.poll(() => consumer.running, { timeout: NEXT_LOOK_MS }).toBe(true);
    expect(consumer.problem).toBeUndefined();
    await run.publishAndWaitApplied();
    expect(run.connects).toBe(1);
  }, 40_000);

  it('another argument of another queue: names it, and says the queue was declared elsewhere', async () => {
    const prefix = freshPrefix();
    const { retryQueue } = brokerNames(prefix).queues('comments');
    const test = await openTestChannel();
    try {
      await test.channel.assertQueue(retryQueue, { durable: true, arguments: { 'x-queue-type': 'classic' } });
    } finally {
      await test.close();
    }
    await declareEventExchanges(prefix);
    run = await startTestConsumer(database, { behaviour: () => undefined, prefix, declareExchange: false });
    await expect.poll(() => run!.consumer.problem, { timeout: NEXT_LOOK_MS }).toContain(retryQueue);
    expect(run.consumer.problem).toContain('declared elsewhere with other settings');
    expect(run.consumer.running).toBe(false);
    expect(run.connects).toBe(1);
  }, 30_000);
});

describe('declareEventTopology', () => {
  it('refused one consumer’s queues, still declares the other’s, then says whose were refused', async () => {
    const prefix = freshPrefix();
    const comments = brokerNames(prefix).queues('comments');
    const recipes = brokerNames(prefix).queues('recipes');
    const test = await openTestChannel();
    try {
      await test.channel.assertQueue(comments.parkingQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    } finally {
      await test.close();
    }
    await expect(declareEventTopology(testAmqpUrl(), prefix, 5)).rejects.toThrow(
      /^comments's queues: .*PRECONDITION_FAILED/,
    );
    const check = await openTestChannel();
    try {
      expect((await check.channel.checkQueue(recipes.workQueue)).queue).toBe(recipes.workQueue);
    } finally {
      await check.close();
    }
  });
});

describe('a work queue deleted under its running consumer', () => {
  it('is declared again, bindings and all, and the consumer goes on consuming on the same connection', async () => {
    run = await startTestConsumer(database, { behaviour: () => undefined });
    const { consumer, topology } = run;
    await run.broker.withChannel((channel) => channel.deleteQueue(topology.workQueue));

    await expect
      .poll(
        () => run!.broker.withChannel(async (channel) => (await channel.checkQueue(topology.workQueue)).consumerCount),
        { timeout: NEXT_LOOK_MS },
      )
      .toBe(1);
    expect(consumer.running).toBe(true);
    await run.publishAndWaitApplied();
    expect(run.connects).toBe(1);
  }, 30_000);
});
