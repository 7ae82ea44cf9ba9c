import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ValidEvent } from '@potluck/messaging';
import { createBrokerUser, testAmqpUrl, waitFor, type BrokerUser } from '@potluck/testing';
import { listParked, PUBLISHER_HEADER, requeueParked, type ParkedMessage } from '../src/index.js';
import { openInboxDatabase, startTestConsumer, type InboxDatabase, type TestConsumer } from './consumerHarness.js';
import { commitToOutbox, startTestRelay } from './relayHarness.js';
import { openTestChannel, recipeEvent, type TestChannel } from './support.js';

/** Any test prefix's recipes exchange (`uniqueAmqpPrefix`): where these users may publish, and nothing else. */
const TEST_RECIPES_EXCHANGE = '^potluck-test-[0-9a-f]+[.]recipes[.]events$';

let database: InboxDatabase;
/** The producer's own login: the consumer trusts it, and it is not the consumer's (the test broker's) login. */
let producer: BrokerUser;
/** Anyone else who may publish to the exchange. */
let mallory: BrokerUser;
let run: TestConsumer;
let behaviour: (event: ValidEvent) => void;
const channels: TestChannel[] = [];

beforeAll(async () => {
  database = await openInboxDatabase();
  const publishOnly = { configure: TEST_RECIPES_EXCHANGE, write: TEST_RECIPES_EXCHANGE, read: '^$' };
  producer = await createBrokerUser('recipes', publishOnly);
  mallory = await createBrokerUser('mallory', { ...publishOnly, configure: '^$' });
}, 60_000);

afterAll(async () => {
  await producer?.remove();
  await mallory?.remove();
  await database?.close();
}, 60_000);

beforeEach(async () => {
  behaviour = () => undefined;
  run = await startTestConsumer(database, {
    behaviour: (event) => behaviour(event),
    publishers: [producer.name],
    maxAttempts: 3,
    retryBaseDelayMs: 50,
  });
});

afterEach(async () => {
  for (const channel of channels.splice(0)) await channel.close();
  await run.stop();
});

async function channelAs(user: BrokerUser | undefined): Promise<TestChannel> {
  const channel = await openTestChannel(user?.url);
  channels.push(channel);
  return channel;
}

/** Publishes a new recipe event to the consumer's exchange on `channel`; returns its id. */
async function publishEvent(channel: TestChannel, properties: Parameters<TestChannel['publish']>[4] = {}) {
  const event = recipeEvent('recipe.created', crypto.randomUUID(), 1);
  await channel.publish(run.topology.exchange, event.type, event, event.id, properties);
  return event.id;
}

/** Publishes an event the producer sent and waits until it is applied: everything before it was handled. */
async function publishMarker(): Promise<void> {
  await run.waitApplied(await publishEvent(await channelAs(producer)));
}

async function waitParked(count: number): Promise<ParkedMessage[]> {
  return waitFor(
    async () => {
      const parked = await listParked(testAmqpUrl(), run.topology);
      return parked.length === count ? parked : undefined;
    },
    { what: `${count} parked message(s)` },
  );
}

describe('a consumer applies only what its producer published', () => {
  it('parks an event published under another RabbitMQ user with the reason, and never applies it', async () => {
    const forged = await publishEvent(await channelAs(mallory), { headers: { [PUBLISHER_HEADER]: producer.name } });
    await publishMarker();

    const [parked] = await waitParked(1);
    expect(parked).toMatchObject({ messageId: forged, reason: 'untrusted-publisher', publisher: mallory.name });
    expect(parked?.error).toBe(
      `Error: untrusted publisher: user_id "${mallory.name}" is not one of the publishers ${run.topology.workQueue} trusts (${producer.name})`,
    );
    expect(await run.appliedCount(forged)).toBe(0);
  });

  it('parks an event without a user_id, and one under the consumer’s own login that no copy vouches for', async () => {
    const ours = await channelAs(undefined);
    const anonymous = await publishEvent(ours, { userId: undefined });
    const ownLogin = await publishEvent(ours);
    await publishMarker();

    const parked = await waitParked(2);
    expect(parked.map(({ messageId, reason }) => ({ messageId, reason }))).toEqual([
      { messageId: anonymous, reason: 'untrusted-publisher' },
      { messageId: ownLogin, reason: 'untrusted-publisher' },
    ]);
    expect(parked[0]?.error).toMatch(/untrusted publisher: no user_id/);
    expect(parked[1]?.error).toMatch(/user_id "guest" is not one of the publishers/);
    expect(await run.appliedCount(anonymous)).toBe(0);
    expect(await run.appliedCount(ownLogin)).toBe(0);
  });

  it('applies an event the outbox relay published under the producer’s login', async () => {
    const relay = await startTestRelay({ databaseUrl: database.url, brokerUrl: producer.url, prefix: run.prefix });
    try {
      const received = await relay.receive();
      const [id] = await commitToOutbox(database.pool, [recipeEvent('recipe.created', crypto.randomUUID(), 1)]);
      await run.waitApplied(id!);
      const sent = await waitFor(() => received.find((message) => message.id === id), { what: 'the relay’s message' });
      expect(sent.properties.userId).toBe(producer.name);
    } finally {
      await relay.stop();
    }
    expect(await listParked(testAmqpUrl(), run.topology)).toEqual([]);
  });

  it('applies an event that failed, waited in the retry queue and came back as the consumer’s copy', async () => {
    const id = await publishEvent(await channelAs(producer));
    let failures = 0;
    behaviour = (event) => {
      if (event.id === id && failures < 2) {
        failures += 1;
        throw new Error('database hiccup');
      }
    };
    await run.waitApplied(id);
    expect(failures).toBe(2);
    expect(await listParked(testAmqpUrl(), run.topology)).toEqual([]);
  });

  it('keeps the verdict through a requeue: the producer’s failed event is applied, a forged one parked again', async () => {
    let healthy = false;
    const failing = await publishEvent(await channelAs(producer));
    behaviour = (event) => {
      if (event.id === failing && !healthy) throw new Error('broken invariant');
    };
    const forged = await publishEvent(await channelAs(mallory));
    const before = await waitParked(2);
    expect(before.map(({ reason }) => reason).sort()).toEqual(['failed 3 times', 'untrusted-publisher']);

    healthy = true;
    expect(await requeueParked(testAmqpUrl(), run.topology)).toBe(2);
    await run.waitApplied(failing);
    await publishMarker();
    const [after] = await waitParked(1);
    expect(after).toMatchObject({ messageId: forged, reason: 'untrusted-publisher', publisher: mallory.name });
    expect(await run.appliedCount(forged)).toBe(0);
  });
});

describe('the broker vouches for user_id', () => {
  it('refuses a message whose user_id is not its connection’s user, closing the channel', async () => {
    const channel = await channelAs(mallory);
    const closed = new Promise<Error>((resolve) => channel.channel.once('error', resolve));
    const impersonated = publishEvent(channel, { userId: producer.name });

    await expect(impersonated).rejects.toThrow();
    expect(String(await closed)).toMatch(/PRECONDITION_FAILED.*user_id/);
    await publishMarker();
    expect(await listParked(testAmqpUrl(), run.topology)).toEqual([]);
  });
});
