import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  brokerAdmin,
  createBrokerUser,
  declareEventExchanges,
  deleteBrokerTopology,
  uniqueAmqpPrefix,
  type BrokerUser,
} from '@potluck/testing';
import { brokerNames, brokerPermissions, declareExchange, EXCHANGE_RECHECK_MAX_MS, Publisher } from '../src/index.js';
import { openInboxDatabase, startTestConsumer, type InboxDatabase, type TestConsumer } from './consumerHarness.js';

/**
 * A service whose RabbitMQ user lacks a permission it needs (granted for another prefix, or
 * narrowed by hand) is refused its declarations with 403 ACCESS_REFUSED. No reconnect mends
 * that: the consumer or the relay's publisher says what was refused and looks again on the
 * same connection, leaving the other one on that connection alone, until an operator grants it.
 */
let database: InboxDatabase;
let run: TestConsumer | undefined;
let user: BrokerUser | undefined;
const prefix = uniqueAmqpPrefix();

beforeAll(async () => {
  database = await openInboxDatabase();
});
afterAll(async () => {
  await database?.close();
  await deleteBrokerTopology(prefix);
});
afterEach(async () => {
  await run?.stop();
  run = undefined;
  await user?.remove();
  user = undefined;
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough for the consumer's next look, however far its wait has doubled. */
const NEXT_LOOK_MS = EXCHANGE_RECHECK_MAX_MS + 5000;

describe('a consumer whose RabbitMQ user may not declare its queues', () => {
  it('says what the broker refused and to whom, its connection and publisher undisturbed, until the permission is granted', async () => {
    const granted = brokerPermissions(prefix, 'comments', 'recipes');
    const ownExchange = brokerNames(prefix).exchange('comments');
    // Its own exchange only: the relay's publisher may declare it, the consumer none of its queues.
    user = await createBrokerUser('comments', { ...granted, configure: `^${ownExchange.replaceAll('.', '[.]')}$` });
    await declareEventExchanges(prefix);
    run = await startTestConsumer(database, {
      behaviour: () => undefined,
      prefix,
      declareExchange: false,
      brokerUrl: user.url,
      publishers: ['guest'],
    });
    const { consumer } = run;
    const publisher = new Publisher(run.broker, (channel) => declareExchange(channel, ownExchange));

    await expect.poll(() => consumer.problem, { timeout: NEXT_LOOK_MS }).toMatch(/ACCESS_REFUSED|refused/);
    expect(consumer.problem).toContain(user.name);
    // The first of its queues it declares: none may be.
    expect(consumer.problem).toContain(`access to queue '${prefix}.comments.`);
    expect(consumer.problem).toContain('grant');
    await pause(1500); // a few more looks: still refused, still on its first connection
    expect(consumer.running).toBe(false);
    expect(run.connects).toBe(1);
    expect(publisher.ready).toBe(true);

    // What an operator does: grant what the service needs; the next look takes it.
    await brokerAdmin.setPermissions(user.name, granted);
    await expect.poll(() => consumer.running, { timeout: NEXT_LOOK_MS }).toBe(true);
    expect(consumer.problem).toBeUndefined();
    await run.publishAndWaitApplied();
  }, 40_000);
});

describe('a relay publisher whose RabbitMQ user may not declare its exchange', () => {
  it('says what the broker refused, the consumer on its connection undisturbed, and publishes once granted', async () => {
    const granted = brokerPermissions(prefix, 'comments', 'recipes');
    const ownExchange = brokerNames(prefix).exchange('comments');
    const queues = Object.values(brokerNames(prefix).queues('comments'));
    user = await createBrokerUser('comments', {
      ...granted,
      configure: `^(${queues.map((queue) => queue.replaceAll('.', '[.]')).join('|')})$`,
    });
    run = await startTestConsumer(database, {
      behaviour: () => undefined,
      prefix,
      brokerUrl: user.url,
      publishers: ['guest'],
    });
    const publisher = new Publisher(run.broker, (channel) => declareExchange(channel, ownExchange));

    await expect.poll(() => publisher.problem, { timeout: NEXT_LOOK_MS }).toMatch(/ACCESS_REFUSED|refused/);
    expect(publisher.problem).toContain(user.name);
    expect(publisher.problem).toContain(ownExchange);
    await pause(1500);
    expect(publisher.ready).toBe(false);
    expect(run.connects).toBe(1);
    await run.publishAndWaitApplied();

    await brokerAdmin.setPermissions(user.name, granted);
    await expect.poll(() => publisher.ready, { timeout: NEXT_LOOK_MS }).toBe(true);
    expect(publisher.problem).toBeUndefined();
    expect(run.connects).toBe(1);
  }, 40_000);
});
