import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  brokerAdmin,
  createBrokerUser,
  declareEventExchanges,
  deleteBrokerTopology,
  uniqueAmqpPrefix,
  type BrokerUser,
} from '@potluck/testing';
import {
  brokerNames,
  brokerPermissions,
  declareExchange,
  exactly,
  EXCHANGE_RECHECK_MAX_MS,
  Publisher,
  type BrokerPermissions,
} from '../src/index.js';
import { openInboxDatabase, startTestConsumer, type InboxDatabase, type TestConsumer } from './consumerHarness.js';

/**
 * A service whose RabbitMQ user lacks a permission it needs (granted for another prefix, or
 * narrowed by hand) is refused with 403 ACCESS_REFUSED. No reconnect mends that: the consumer
 * or the relay's publisher says what was refused and looks again on the same connection,
 * leaving the other one on that connection alone, until an operator grants it.
 */
let database: InboxDatabase;
let run: TestConsumer | undefined;
let user: BrokerUser | undefined;
const prefix = uniqueAmqpPrefix();
const names = brokerNames(prefix);
const granted = brokerPermissions(prefix, 'comments', 'recipes');
const ownExchange = names.exchange('comments');

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
/** Long enough for the next look, however far its wait has doubled. */
const NEXT_LOOK_MS = EXCHANGE_RECHECK_MAX_MS + 5000;
// RabbitMQ 4 names the kind of access ("configure access to …"), 3.10 does not.
const REFUSED = /^the broker refused this service's RabbitMQ user \((?:\w+ )?access to /;

/** A consumer (and a relay publisher beside it, on its connection) logging in as a user with `permissions`. */
async function startAs(permissions: BrokerPermissions) {
  user = await createBrokerUser('comments', permissions);
  await declareEventExchanges(prefix);
  run = await startTestConsumer(database, {
    behaviour: () => undefined,
    prefix,
    declareExchange: false,
    brokerUrl: user.url,
    publishers: ['guest'],
  });
  const publisher = new Publisher(run.broker, (channel) => declareExchange(channel, ownExchange));
  return { run, user, publisher };
}

describe('a consumer whose RabbitMQ user may not declare, or read, its queues', () => {
  it('declare: says what was refused, its connection and publisher undisturbed, until granted', async () => {
    // Its own exchange only: the relay's publisher may declare it, the consumer none of its queues.
    const { run, user, publisher } = await startAs({ ...granted, configure: exactly([ownExchange]) });
    const { consumer } = run;

    await expect.poll(() => consumer.problem, { timeout: NEXT_LOOK_MS }).toMatch(REFUSED);
    // The first of its queues it declares: none may be.
    expect(consumer.problem).toContain(`queue '${prefix}.comments.`);
    expect(consumer.problem).toContain('docs/events.md#who-may-publish');
    expect(consumer.problem).not.toContain(user.name);
    await pause(1500); // a few more looks: still refused, still on its first connection
    expect(consumer.running).toBe(false);
    expect(publisher.ready).toBe(true);
    expect([run.connects, run.disconnects]).toEqual([1, 0]);

    // What an operator does: grant what the service needs; the next look takes it.
    await brokerAdmin.setPermissions(user.name, granted);
    await expect.poll(() => consumer.running, { timeout: NEXT_LOOK_MS }).toBe(true);
    expect(consumer.problem).toBeUndefined();
    await run.publishAndWaitApplied();
    expect([run.connects, run.disconnects]).toEqual([1, 0]);
  }, 40_000);

  it('read (on its work queue, which declaring a queue with a dead-letter exchange needs too): the same, until granted', async () => {
    const { workQueue, retryQueue, parkingQueue } = names.queues('comments');
    const { run, user, publisher } = await startAs({
      ...granted,
      read: exactly([retryQueue, parkingQueue, names.exchange('recipes')]),
    });
    const { consumer } = run;

    await expect.poll(() => consumer.problem, { timeout: NEXT_LOOK_MS }).toMatch(REFUSED);
    expect(consumer.problem).toContain(`queue '${workQueue}'`);
    await pause(1500);
    expect(consumer.running).toBe(false);
    expect(publisher.ready).toBe(true);
    expect([run.connects, run.disconnects]).toEqual([1, 0]);

    await brokerAdmin.setPermissions(user.name, granted);
    await expect.poll(() => consumer.running, { timeout: NEXT_LOOK_MS }).toBe(true);
    await run.publishAndWaitApplied();
    expect([run.connects, run.disconnects]).toEqual([1, 0]);
  }, 40_000);
});

describe('a relay publisher whose RabbitMQ user may not declare its exchange', () => {
  it('says what was refused, the consumer on its connection undisturbed, and publishes once granted', async () => {
    const queues = Object.values(names.queues('comments'));
    const { run, user, publisher } = await startAs({ ...granted, configure: exactly(queues) });

    await expect.poll(() => publisher.problem, { timeout: NEXT_LOOK_MS }).toMatch(REFUSED);
    expect(publisher.problem).toContain(`exchange '${ownExchange}'`);
    await pause(1500);
    expect(publisher.ready).toBe(false);
    await run.publishAndWaitApplied();
    expect([run.connects, run.disconnects]).toEqual([1, 0]);

    await brokerAdmin.setPermissions(user.name, granted);
    await expect.poll(() => publisher.ready, { timeout: NEXT_LOOK_MS }).toBe(true);
    expect(publisher.problem).toBeUndefined();
    const event = Buffer.from('{}');
    await publisher.publish(ownExchange, 'nothing.bound', event, { messageId: crypto.randomUUID() });
    expect([run.connects, run.disconnects]).toEqual([1, 0]);
  }, 40_000);
});

describe('a relay publisher whose RabbitMQ user may declare its exchange but not write to it', () => {
  it('says so once its publish is refused, the consumer on its connection undisturbed, and publishes once granted', async () => {
    const { workQueue } = names.queues('comments');
    const { run, user, publisher } = await startAs({ ...granted, write: exactly([workQueue, 'amq.default']) });
    await expect.poll(() => publisher.ready, { timeout: NEXT_LOOK_MS }).toBe(true);
    const publish = () =>
      publisher.publish(ownExchange, 'nothing.bound', Buffer.from('{}'), { messageId: crypto.randomUUID() });

    await expect(publish()).rejects.toThrow();
    await expect.poll(() => publisher.problem, { timeout: NEXT_LOOK_MS }).toMatch(REFUSED);
    expect(publisher.problem).toContain(`exchange '${ownExchange}'`);
    await run.publishAndWaitApplied();
    expect([run.connects, run.disconnects]).toEqual([1, 0]);

    await brokerAdmin.setPermissions(user.name, granted);
    const published = () =>
      publish().then(
        () => true,
        () => false,
      );
    await expect.poll(published, { timeout: NEXT_LOOK_MS, interval: 250 }).toBe(true);
    expect(publisher.problem).toBeUndefined();
    expect([run.connects, run.disconnects]).toEqual([1, 0]);
  }, 40_000);
});
