import { randomUUID } from 'node:crypto';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { Broker, exactly, EXCHANGE_RECHECK_MAX_MS, type BrokerPermissions, type ValidEvent } from '@potluck/messaging';
import { createLogger } from '@potluck/service';
import {
  brokerAdmin,
  commentEventFixture,
  createBrokerUser,
  declareEventExchanges,
  deleteBrokerTopology,
  startTcpProxy,
  testAmqpUrl,
  uniqueAmqpPrefix,
  waitFor,
  type BrokerUser,
  type TcpProxy,
} from '@potluck/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriptionEnded } from '../src/subscriptions/ended.js';
import { SubscriptionHub } from '../src/subscriptions/hub.js';
import { SUBSCRIPTION_FIELDS } from '../src/subscriptions/subscriptionFields.js';
import { StreamReader, type EventEntry } from '../src/subscriptions/streamReader.js';
import {
  declareStream,
  gatewayBrokerPermissions,
  streamNames,
  type StreamNames,
  type StreamRetention,
} from '../src/subscriptions/streamTopology.js';

const logger = createLogger('stream-test', 'silent');
const DEFAULT_RETENTION: StreamRetention = { maxAge: '1h', maxBytes: 50_000_000, segmentBytes: 1_000_000 };

interface Harness {
  hub: SubscriptionHub;
  reader: StreamReader;
  publish(event: ValidEvent, as?: ChannelModel): Promise<void>;
  exchange: string;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A reader and hub on a stream of their own, and a way to publish comment events as the
 * trusted `guest`. The reader logs in as `login` (made for its prefix), else as the test URL's
 * user; through `proxy` when given (the publisher always connects directly).
 */
async function harness(
  retention = DEFAULT_RETENTION,
  login?: (prefix: string) => Promise<BrokerUser>,
  proxy?: TcpProxy,
): Promise<Harness> {
  const prefix = uniqueAmqpPrefix();
  const names = streamNames(prefix);
  const user = await login?.(prefix);
  if (user) cleanups.push(() => user.remove());
  const url = user?.url ?? testAmqpUrl();
  const broker = new Broker({ url: proxy ? proxy.url(url) : url, logger });
  const reader = new StreamReader({
    broker,
    names,
    retention,
    trust: { publishers: ['guest'] },
    logger,
  });
  const hub = new SubscriptionHub(reader, logger);
  const publisher = await amqp.connect(testAmqpUrl());
  cleanups.push(async () => {
    await broker.close();
    await publisher.close();
    await deleteBrokerTopology(prefix);
  });
  await declareEventExchanges(prefix);
  await broker.start();
  expect(await reader.whenPositioned(10_000)).toBeTypeOf('number');
  const channels = new Map<ChannelModel, Promise<ConfirmChannel>>();
  const exchange = names.sources[1]!;
  return {
    hub,
    reader,
    exchange,
    async publish(event, as = publisher) {
      if (!channels.has(as)) channels.set(as, as.createConfirmChannel());
      const channel = await channels.get(as)!;
      const userId = as === publisher ? 'guest' : undefined;
      channel.publish(exchange, event.type, Buffer.from(JSON.stringify(event)), { messageId: event.id, userId });
      await channel.waitForConfirms();
    },
  };
}

/** A subscriber to comments on `recipeId` that records what it gets. */
function subscriber(recipeId: string, after?: { offset: number; eventId: string }) {
  const received: EventEntry[] = [];
  let ended: SubscriptionEnded | undefined;
  return {
    received,
    ended: () => ended,
    filter: { field: SUBSCRIPTION_FIELDS.get('commentAdded')!, key: recipeId },
    after,
    deliver: (entry: EventEntry) => void received.push(entry),
    ready: () => undefined,
    end: (reason: SubscriptionEnded) => void (ended = reason),
  };
}

const idsOf = (entries: EventEntry[]) => entries.map((entry) => entry.event.id);

/**
 * `count` comments on one recipe, seen live, then a subscriber resuming from the first of
 * them that is behind: its `ready` waits until `release`, so its backlog reader stops after a few.
 */
async function behindOnBacklog({ hub, publish }: Harness, count: number) {
  const recipeId = randomUUID();
  const live = subscriber(recipeId);
  await hub.add(live);
  const events = Array.from({ length: count }, () => commentEventFixture('comment.added', recipeId));
  for (const event of events) await publish(event);
  await waitFor(() => (live.received.length === count ? true : undefined));
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const first = live.received[0]!;
  const slow = { ...subscriber(recipeId, { offset: first.offset, eventId: first.event.id }), ready: () => held };
  const stop = await hub.add(slow);
  return { recipeId, events, slow, release, stop };
}

describe('the stream hub', () => {
  it('resumes from a cursor through the backlog into live events, in order and none twice', async () => {
    const { hub, publish } = await harness();
    const recipeId = randomUUID();
    const live = subscriber(recipeId);
    await hub.add(live);
    const events = Array.from({ length: 120 }, () => commentEventFixture('comment.added', recipeId));
    const others = Array.from({ length: 40 }, () => commentEventFixture('comment.added', randomUUID()));
    for (const [index, event] of events.slice(0, 60).entries()) {
      await publish(event);
      if (index % 3 === 0) await publish(others[index / 3]!);
    }
    await waitFor(() => (live.received.length === 60 ? true : undefined));
    expect(idsOf(live.received)).toEqual(events.slice(0, 60).map((event) => event.id));

    const cursorAt = live.received[9]!;
    const resuming = subscriber(recipeId, { offset: cursorAt.offset, eventId: cursorAt.event.id });
    const stop = await hub.add(resuming);
    for (const event of events.slice(60)) await publish(event);
    await waitFor(() => (resuming.received.length >= 110 ? true : undefined), { timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(idsOf(resuming.received)).toEqual(events.slice(10).map((event) => event.id));
    expect(resuming.ended()).toBeUndefined();
    await stop();
  });

  it('delivers an event the stream holds twice (the relay sent it again) once, live and resuming', async () => {
    const { hub, reader, publish } = await harness();
    const recipeId = randomUUID();
    const live = subscriber(recipeId);
    await hub.add(live);
    const [first, twice, last] = Array.from({ length: 3 }, () => commentEventFixture('comment.added', recipeId));
    for (const event of [first!, twice!, twice!, last!]) await publish(event);
    await waitFor(() => (idsOf(live.received).includes(last!.id) ? true : undefined));
    expect(idsOf(live.received)).toEqual([first!.id, twice!.id, last!.id]);

    const cursor = live.received[0]!;
    const resuming = subscriber(recipeId, { offset: cursor.offset, eventId: cursor.event.id });
    const stop = await hub.add(resuming);
    await waitFor(() => (idsOf(resuming.received).includes(last!.id) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(idsOf(resuming.received)).toEqual([twice!.id, last!.id]);
    await stop();

    // Resuming from the first copy on a gateway that never met it (another replica, a restart).
    const atTwice = live.received[1]!;
    const elsewhere = new SubscriptionHub(reader, logger);
    const resumingElsewhere = subscriber(recipeId, { offset: atTwice.offset, eventId: atTwice.event.id });
    const stopElsewhere = await elsewhere.add(resumingElsewhere);
    await waitFor(() => (idsOf(resumingElsewhere.received).includes(last!.id) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(idsOf(resumingElsewhere.received)).toEqual([last!.id]);
    await stopElsewhere();
  });

  it('reads a backlog at the pace of a subscriber that is behind, and loses nothing', async () => {
    const { events, slow, release, stop } = await behindOnBacklog(await harness(), 400);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // The reader waits after the first entry: no more than its prefetch arrived meanwhile.
    expect(slow.received.length).toBeGreaterThan(0);
    expect(slow.received.length).toBeLessThanOrEqual(101);
    release();
    await waitFor(() => (slow.received.length === 399 ? true : undefined), { timeoutMs: 20_000 });
    expect(idsOf(slow.received)).toEqual(events.slice(1).map((event) => event.id));
    await stop();
  });

  it('ends a resume with CURSOR_EXPIRED once retention dropped the cursor’s event', async () => {
    const { hub, publish } = await harness({ maxAge: '1h', maxBytes: 12_000, segmentBytes: 5000 });
    const recipeId = randomUUID();
    const live = subscriber(recipeId);
    await hub.add(live);
    for (let n = 0; n < 120; n++) await publish(commentEventFixture('comment.added', recipeId));
    await waitFor(() => (live.received.length === 120 ? true : undefined));
    const oldest = live.received[0]!;
    const resuming = subscriber(recipeId, { offset: oldest.offset, eventId: oldest.event.id });
    await hub.add(resuming);
    const ended = await waitFor(() => resuming.ended());
    expect(ended.code).toBe('CURSOR_EXPIRED');
    expect(resuming.received).toEqual([]);

    const recent = live.received.at(-3)!;
    const fine = subscriber(recipeId, { offset: recent.offset, eventId: recent.event.id });
    await hub.add(fine);
    await waitFor(() => (fine.received.length === 2 ? true : undefined));
    expect(fine.ended()).toBeUndefined();
  });

  it('refuses a cursor whose offset holds another event (another stream, or forged) as BAD_USER_INPUT', async () => {
    const { hub, publish } = await harness();
    const recipeId = randomUUID();
    const live = subscriber(recipeId);
    await hub.add(live);
    await publish(commentEventFixture('comment.added', recipeId));
    const [entry] = await waitFor(() => (live.received.length === 1 ? live.received : undefined));
    const forged = subscriber(recipeId, { offset: entry!.offset, eventId: randomUUID() });
    await hub.add(forged);
    expect((await waitFor(() => forged.ended())).code).toBe('BAD_USER_INPUT');
  });
});

describe('trust', () => {
  let mallory: BrokerUser;
  beforeAll(async () => {
    const exchanges = '^potluck-test-[0-9a-f]+[.]comments[.]events$';
    mallory = await createBrokerUser('mallory', { configure: '^$', write: exchanges, read: '^$' });
  }, 60_000);
  afterAll(async () => {
    await mallory?.remove();
  });

  it('works with no more broker permissions than gatewayBrokerPermissions gives, the mark included', async () => {
    const { hub, publish } = await harness(DEFAULT_RETENTION, (prefix) =>
      createBrokerUser('gateway', gatewayBrokerPermissions(prefix)),
    );
    const recipeId = randomUUID();
    const live = subscriber(recipeId);
    await hub.add(live);
    const event = commentEventFixture('comment.added', recipeId);
    await publish(event);
    await waitFor(() => (live.received.length === 1 ? true : undefined));
    expect(idsOf(live.received)).toEqual([event.id]);
  });

  it('skips a valid event from a publisher the gateway does not trust', async () => {
    const { hub, publish } = await harness();
    const recipeId = randomUUID();
    const live = subscriber(recipeId);
    await hub.add(live);
    const asMallory = await amqp.connect(mallory.url);
    cleanups.push(() => asMallory.close());
    const forged = commentEventFixture('comment.added', recipeId);
    await publish(forged, asMallory);
    const genuine = commentEventFixture('comment.added', recipeId);
    await publish(genuine);
    await waitFor(() => (live.received.length >= 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(idsOf(live.received)).toEqual([genuine.id]);
  });
});

/** A live reader alone (no hub), as the gateway starts it, on `prefix`: counts its connects; removes the prefix's topology after. */
async function startLoneReader(prefix: string, options: { bindingCheckMs?: number; url?: string } = {}) {
  const { url = testAmqpUrl(), ...readerOptions } = options;
  const broker = new Broker({ url, logger });
  let connects = 0;
  let disconnects = 0;
  broker.onConnect(() => (connects += 1));
  broker.onDisconnect(() => (disconnects += 1));
  const names = streamNames(prefix);
  const reader = new StreamReader({
    broker,
    names,
    retention: DEFAULT_RETENTION,
    trust: { publishers: ['guest'] },
    logger,
    ...readerOptions,
  });
  cleanups.push(async () => {
    await broker.close();
    await deleteBrokerTopology(prefix);
  });
  await broker.start();
  return { broker, reader, connects: () => connects, disconnects: () => disconnects };
}

describe('a gateway started before the services', () => {
  it('waits for both events exchanges, never declaring one, then reads the stream on the same connection', async () => {
    const prefix = uniqueAmqpPrefix();
    const names = streamNames(prefix);
    const { broker, reader, connects } = await startLoneReader(prefix);
    const waiting = `waiting for the events exchanges ${names.sources.join(', ')} (each service declares its own)`;
    await expect.poll(() => reader.problem, { timeout: EXCHANGE_RECHECK_MAX_MS + 5000 }).toBe(waiting);
    expect(await reader.whenPositioned(1500)).toBeUndefined();
    const exchangeNow = () => broker.withChannel((channel) => channel.checkExchange(names.sources[0]!));
    await expect(exchangeNow()).rejects.toThrow(/NOT_FOUND/);

    await declareEventExchanges(prefix);
    expect(await reader.whenPositioned(EXCHANGE_RECHECK_MAX_MS + 10_000)).toBeTypeOf('number');
    expect(reader.problem).toBeUndefined();
    expect(connects()).toBe(1);
  }, 40_000);
});

describe('an events exchange deleted and declared again under the reader', () => {
  it('says so and turns the link off, binds nothing by itself, and reads the new exchange after a reconnect', async () => {
    const prefix = uniqueAmqpPrefix();
    const names = streamNames(prefix);
    await declareEventExchanges(prefix);
    const { broker, reader } = await startLoneReader(prefix, { bindingCheckMs: 200 });
    const hub = new SubscriptionHub(reader, logger);
    expect(await reader.whenPositioned(10_000)).toBeTypeOf('number');
    const recipeId = randomUUID();
    const live = subscriber(recipeId);
    await hub.add(live);
    // What the entity cache follows: it may not serve while a producer's events cannot reach it.
    const links: boolean[] = [];
    reader.onLink((linked) => void links.push(linked));
    const comments = names.sources[1]!;
    await broker.withChannel((channel) => channel.deleteExchange(comments));
    await expect.poll(() => reader.problem, { timeout: 5000 }).toContain(`no exchange '${comments}'`);
    expect(reader.problem).toContain('restart the gateway once the subgraphs consume again');
    expect(links).toEqual([false]);

    // Back, but not bound again by the reader: the consumers' queues must be bound first.
    await declareEventExchanges(prefix);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(reader.problem).toContain('was deleted');
    expect(links).toEqual([false]);

    await broker.reset(new Error('as a restart would'));
    await expect.poll(() => reader.problem, { timeout: 10_000 }).toBeUndefined();
    expect(links.at(-1)).toBe(true);
    const event = commentEventFixture('comment.added', recipeId);
    const publisher = await amqp.connect(testAmqpUrl());
    try {
      const channel = await publisher.createConfirmChannel();
      channel.publish(comments, event.type, Buffer.from(JSON.stringify(event)), {
        messageId: event.id,
        userId: 'guest',
      });
      await channel.waitForConfirms();
    } finally {
      await publisher.close();
    }
    await waitFor(() => (live.received.length > 0 ? true : undefined), { what: 'the event through the new exchange' });
    expect(idsOf(live.received)).toEqual([event.id]);
  }, 30_000);
});

describe('a stream declared with other retention (SUBSCRIPTION_STREAM_MAX_BYTES changed)', () => {
  it('says which setting and what to do, keeps its connection, and reads once the stream agrees', async () => {
    const prefix = uniqueAmqpPrefix();
    const names = streamNames(prefix);
    await declareEventExchanges(prefix);
    const earlier = await amqp.connect(testAmqpUrl());
    try {
      await declareStream(await earlier.createChannel(), names, { ...DEFAULT_RETENTION, maxBytes: 40_000_000 });
    } finally {
      await earlier.close();
    }
    const { broker, reader, connects } = await startLoneReader(prefix);

    await expect.poll(() => reader.problem, { timeout: 10_000 }).toMatch(/inequivalent arg 'x-max-length-bytes'/);
    expect(reader.problem).toContain("set SUBSCRIPTION_STREAM_MAX_BYTES to the stream's value");
    expect(await reader.whenPositioned(2000)).toBeUndefined();
    expect(connects()).toBe(1);

    await broker.withChannel((channel) => channel.deleteQueue(names.stream));
    expect(await reader.whenPositioned(EXCHANGE_RECHECK_MAX_MS + 10_000)).toBeTypeOf('number');
    expect(reader.problem).toBeUndefined();
    expect(connects()).toBe(1);
  }, 40_000);
});

describe('a gateway whose RabbitMQ user may not declare or read its stream', () => {
  // RabbitMQ 4 names the kind of access ("configure access to …"), 3.10 does not.
  const REFUSED = /^cannot read the stream .*: the broker refused this service's RabbitMQ user \((?:\w+ )?access to /;

  /** A lone reader on a prefix of its own, logging in as a user with what `permissionsFor` grants of the prefix's needs. */
  async function readerAs(permissionsFor: (granted: BrokerPermissions, names: StreamNames) => BrokerPermissions) {
    const prefix = uniqueAmqpPrefix();
    const granted = gatewayBrokerPermissions(prefix);
    const names = streamNames(prefix);
    const user = await createBrokerUser('gateway', permissionsFor(granted, names));
    cleanups.push(() => user.remove());
    await declareEventExchanges(prefix);
    return { ...(await startLoneReader(prefix, { url: user.url })), user, granted, names };
  }

  it('granted for another prefix: says what was refused and where the permissions are listed, keeps its connection, and reads once granted', async () => {
    const { reader, connects, disconnects, user, granted } = await readerAs(() =>
      gatewayBrokerPermissions(uniqueAmqpPrefix()),
    );

    await expect.poll(() => reader.problem, { timeout: 10_000 }).toMatch(REFUSED);
    expect(reader.problem).toContain('docs/subscriptions.md#broker-permissions');
    expect(reader.problem).not.toContain(user.name);
    expect(await reader.whenPositioned(2000)).toBeUndefined();
    expect([connects(), disconnects()]).toEqual([1, 0]);

    await brokerAdmin.setPermissions(user.name, granted);
    expect(await reader.whenPositioned(EXCHANGE_RECHECK_MAX_MS + 10_000)).toBeTypeOf('number');
    expect(reader.problem).toBeUndefined();
    expect([connects(), disconnects()]).toEqual([1, 0]);
  }, 40_000);

  it('write on its marks exchange withheld (its first mark refused after it consumes): says so and reads once granted', async () => {
    const { reader, connects, disconnects, user, granted } = await readerAs((all, names) => ({
      ...all,
      write: exactly([names.stream]),
    }));

    await expect
      .poll(() => reader.problem, { timeout: 10_000 })
      .toMatch(
        /^cannot write its marks into the stream .*: the broker refused this service's RabbitMQ user \((?:\w+ )?access to exchange/,
      );
    expect(await reader.whenPositioned(2000)).toBeUndefined();
    expect([connects(), disconnects()]).toEqual([1, 0]);

    await brokerAdmin.setPermissions(user.name, granted);
    expect(await reader.whenPositioned(EXCHANGE_RECHECK_MAX_MS + 10_000)).toBeTypeOf('number');
    expect(reader.problem).toBeUndefined();
    expect([connects(), disconnects()]).toEqual([1, 0]);
  }, 40_000);

  it('read on its stream withheld (it declares and binds, but may not consume): the same', async () => {
    const { reader, connects, disconnects, user, granted, names } = await readerAs((all, names) => ({
      ...all,
      read: exactly([names.marks, ...names.sources]),
    }));

    await expect.poll(() => reader.problem, { timeout: 10_000 }).toMatch(REFUSED);
    expect(reader.problem).toContain(`queue '${names.stream}'`);
    expect(await reader.whenPositioned(2000)).toBeUndefined();
    expect([connects(), disconnects()]).toEqual([1, 0]);

    await brokerAdmin.setPermissions(user.name, granted);
    expect(await reader.whenPositioned(EXCHANGE_RECHECK_MAX_MS + 10_000)).toBeTypeOf('number');
    expect([connects(), disconnects()]).toEqual([1, 0]);
  }, 40_000);
});

describe('a broker outage', () => {
  it('reads a backlog on from where it was once the broker is back: nothing lost, nothing twice', async () => {
    const proxy = await startTcpProxy(Number(new URL(testAmqpUrl()).port || 5672));
    cleanups.push(() => proxy.close());
    const test = await harness(DEFAULT_RETENTION, undefined, proxy);
    const { reader, publish } = test;
    const { recipeId, events, slow, release, stop } = await behindOnBacklog(test, 300);
    await waitFor(() => (slow.received.length > 0 ? true : undefined));
    proxy.cut();
    await waitFor(() => (reader.problem ? true : undefined), { what: 'the reader to notice the cut' });
    const during = Array.from({ length: 5 }, () => commentEventFixture('comment.added', recipeId));
    for (const event of during) await publish(event);
    release();
    proxy.restore();

    await waitFor(() => (slow.received.length >= 304 ? true : undefined), {
      timeoutMs: 40_000,
      what: `the backlog and the events of the outage (got ${slow.received.length}; ended ${slow.ended()?.code})`,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(idsOf(slow.received)).toEqual([...events.slice(1), ...during].map((event) => event.id));
    expect(slow.ended()).toBeUndefined();
    await stop();
  }, 60_000);
});
