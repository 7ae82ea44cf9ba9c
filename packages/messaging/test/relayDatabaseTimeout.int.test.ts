import { startTcpProxy, testAmqpUrl, testServerUrl } from '@potluck/testing';
import { expect, it } from 'vitest';
import { Broker, OutboxRelay, Publisher } from '../src/index.js';
import { noFailpoints, silent } from './support.js';

it('fails a read of a database that never answers within the connect timeout, and still stops', async () => {
  const server = new URL(testServerUrl());
  const proxy = await startTcpProxy(Number(server.port || 5432), server.hostname);
  proxy.holdReplies();
  const broker = new Broker({ url: testAmqpUrl(), logger: silent });
  const relay = new OutboxRelay({
    ...{ databaseUrl: proxy.url(server.href), broker, publisher: new Publisher(broker, async () => undefined) },
    ...{ exchange: 'unused', appId: 'recipes', logger: silent, failpoint: noFailpoints },
  });
  try {
    const started = performance.now();
    await expect(relay.stats()).rejects.toThrow(/timeout/i);
    expect(performance.now() - started).toBeLessThan(8000);
  } finally {
    await relay.stop();
    await proxy.close();
  }
}, 20_000);
