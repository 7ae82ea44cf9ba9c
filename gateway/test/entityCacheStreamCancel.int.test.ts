import amqp from 'amqplib';
import { Broker } from '@potluck/messaging';
import { createLogger } from '@potluck/service';
import { declareEventExchanges, deleteBrokerTopology, testAmqpUrl, uniqueAmqpPrefix, waitFor } from '@potluck/testing';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createEntityCache } from '../src/entityCache/index.js';
import { StreamReader } from '../src/subscriptions/streamReader.js';
import { streamNames } from '../src/subscriptions/streamTopology.js';

const logger = createLogger('entity-cache-test', 'silent');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the entity cache when the broker cancels the stream consumer', () => {
  it('stops serving at once, and serves again once the reader is back on the stream', async () => {
    const prefix = uniqueAmqpPrefix();
    const names = streamNames(prefix);
    const broker = new Broker({ url: testAmqpUrl(), logger });
    const reader = new StreamReader({
      broker,
      names,
      retention: { maxAge: '1h', maxBytes: 10_000_000, segmentBytes: 1_000_000 },
      trust: { publishers: ['guest'] },
      logger,
    });
    const admin = await amqp.connect(testAmqpUrl());
    cleanups.push(async () => {
      await broker.close();
      await admin.close();
      await deleteBrokerTopology(prefix);
    });
    const registry = new Registry();
    createEntityCache({ maxBytes: 1 << 20, ttlMs: 60_000 }, registry, logger).follow(reader);
    const serving = async () =>
      (await registry.getSingleMetric('potluck_gateway_entity_cache_serving')!.get()).values[0]!.value;
    const links: boolean[] = [];
    reader.onLink((linked) => links.push(linked));
    await declareEventExchanges(prefix);
    await broker.start();
    await waitFor(async () => ((await serving()) === 1 ? true : undefined), { what: 'the cache serving' });

    // Deleting the stream makes RabbitMQ cancel its consumer; the channel itself stays open.
    const channel = await admin.createChannel();
    await channel.deleteQueue(names.stream);
    await channel.close();
    await waitFor(() => (links.includes(false) ? true : undefined), { what: 'the link reported lost' });
    expect(links[0]).toBe(true);
    await waitFor(() => (links.at(-1) === true && links.length > 2 ? true : undefined), {
      what: 'the reader attached again',
      timeoutMs: 20_000,
    });
    expect(await serving()).toBe(1);
  }, 40_000);
});
