import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteBrokerTopology, startTcpProxy, testAmqpUrl, uniqueAmqpPrefix, waitFor } from '@potluck/testing';
import { Broker, BrokerUnavailable, Publisher, Unroutable, declareExchange, exchangeName } from '../src/index.js';
import { openTestChannel, silent, startStallingProxy } from './support.js';

let exchange: string;
let prefix: string;
let cleanUps: Array<() => Promise<unknown>>;

beforeEach(() => {
  prefix = uniqueAmqpPrefix();
  exchange = exchangeName(prefix, 'recipes');
  cleanUps = [];
});

afterEach(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp();
  await deleteBrokerTopology(prefix);
});

async function connect(url = testAmqpUrl()): Promise<Publisher> {
  const broker = new Broker({ url, logger: silent, heartbeatSeconds: 10 });
  const publisher = new Publisher(broker, (channel) => declareExchange(channel, exchange));
  cleanUps.push(() => broker.close());
  await broker.start();
  await waitFor(() => (publisher.ready ? true : undefined), { what: 'the publisher channel' });
  return publisher;
}

/** A queue bound to one routing key of the exchange, deleted after the test. */
async function bindQueue(routingKey: string) {
  const test = await openTestChannel();
  cleanUps.push(test.close);
  const { queue } = await test.channel.assertQueue('', { exclusive: true });
  cleanUps.push(() => test.channel.deleteQueue(queue));
  await test.channel.bindQueue(queue, exchange, routingKey);
  return { count: async () => (await test.channel.checkQueue(queue)).messageCount };
}

const body = Buffer.from('{}');
const mandatory = (messageId: string = randomUUID()) => ({ messageId, mandatory: true, persistent: true });

/** How the promise settled: 'resolved', its rejection, or 'pending' if it has not settled within the deadline. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  const settled = promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
  try {
    return await Promise.race([settled, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('publisher', () => {
  it('rejects a mandatory message no queue took as Unroutable, matching each return to its publish', async () => {
    const publisher = await connect();
    const id = randomUUID();
    const error = await publisher.publish(exchange, 'recipe.created', body, mandatory(id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unroutable);
    expect(error).toMatchObject({ exchange, routingKey: 'recipe.created', messageId: id });

    const queue = await bindQueue('recipe.created');
    const keys = ['recipe.created', 'recipe.deleted', 'recipe.created', 'recipe.deleted'];
    const outcomes = await Promise.allSettled(keys.map((key) => publisher.publish(exchange, key, body, mandatory())));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(await queue.count()).toBe(2);
  });

  it('refuses a mandatory publish without a message id, or whose id is already in flight', async () => {
    const publisher = await connect();
    await expect(publisher.publish(exchange, 'recipe.created', body, { mandatory: true })).rejects.toThrow(/messageId/);
    const id = randomUUID();
    const first = publisher.publish(exchange, 'recipe.created', body, mandatory(id));
    await expect(publisher.publish(exchange, 'recipe.created', body, mandatory(id))).rejects.toThrow(
      /already awaiting/,
    );
    await expect(first).rejects.toBeInstanceOf(Unroutable);
  });

  it('rejects, rather than hangs, publishes whose channel closes before their confirms', async () => {
    const proxy = await startTcpProxy(5672);
    cleanUps.push(() => proxy.close());
    const publisher = await connect(proxy.url(testAmqpUrl()));
    const queue = await bindQueue('recipe.created');
    proxy.holdReplies();
    const returned = publisher.publish(exchange, 'recipe.deleted', body, mandatory());
    const routed = publisher.publish(exchange, 'recipe.created', body, mandatory());
    // The broker handles a channel's publishes in order: once the second is queued, the first was returned.
    await waitFor(async () => ((await queue.count()) === 1 ? true : undefined), { what: 'the broker to route' });
    proxy.cut();

    for (const publish of [returned, routed]) {
      const outcome = await settledWithin(publish, 5000);
      expect(outcome).toBeInstanceOf(Error);
      expect(outcome).not.toBeInstanceOf(Unroutable);
    }
  });

  it('rejects, rather than hangs, a publish waiting for a full channel to drain when the channel closes', async () => {
    const proxy = await startStallingProxy();
    cleanUps.push(proxy.close);
    const publisher = await connect(proxy.url(testAmqpUrl()));
    proxy.stall();
    // Large messages fill the socket and the kernel's buffers; the many small ones fill amqplib's channel buffer.
    const large = Buffer.alloc(4 * 1024 * 1024);
    const contents = [...Array<Buffer>(8).fill(large), ...Array<Buffer>(4000).fill(body)];
    const filling = Promise.allSettled(
      contents.map((content) => publisher.publish(exchange, 'recipe.created', content, { messageId: randomUUID() })),
    );
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = publisher.publish(exchange, 'recipe.created', body, { messageId: randomUUID() });
    proxy.cut();

    expect(await settledWithin(waiting, 5000)).toBeInstanceOf(BrokerUnavailable);
    expect((await filling).every((outcome) => outcome.status === 'rejected')).toBe(true);
  });
});
