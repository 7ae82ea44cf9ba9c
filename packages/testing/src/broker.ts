import amqp from 'amqplib';
import { brokerNames, declareEventExchanges as declareServiceExchanges, EVENT_PRODUCERS } from '@potluck/messaging';
import { randomName } from './databases.js';

/** The broker tests use; override with TEST_AMQP_URL. */
export function testAmqpUrl(): string {
  return process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
}

/** A fresh AMQP name prefix, so no two test runs (or files) share an exchange or queue. */
export function uniqueAmqpPrefix(): string {
  return randomName('potluck-test').replace('_', '-');
}

/**
 * Declares the services' events exchanges under `prefix`, as each service's publisher does
 * when it starts (or the broker's definitions do): for tests that start a consumer or the
 * gateway's stream reader with no producer running, which wait for them otherwise.
 */
export function declareEventExchanges(prefix: string, url = testAmqpUrl()): Promise<void> {
  return declareServiceExchanges(url, prefix);
}

/**
 * Deletes every exchange and queue Potluck declares under `prefix`, the gateway's
 * subscription stream included. Quorum queues and streams are never garbage-collected by the
 * broker, so every test that starts a service calls this.
 */
export async function deleteBrokerTopology(prefix: string, url = testAmqpUrl()): Promise<void> {
  const connection = await amqp.connect(url);
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    const names = brokerNames(prefix);
    for (const service of EVENT_PRODUCERS) {
      for (const queue of Object.values(names.queues(service))) await channel.deleteQueue(queue);
      await channel.deleteExchange(names.exchange(service));
    }
    // The gateway's (gateway/src/subscriptions/streamTopology.ts).
    await channel.deleteQueue(`${prefix}.gateway.stream`);
    await channel.deleteExchange(`${prefix}.gateway.marks`);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** How many messages wait in `queue` (ready to deliver), as the broker counts them now. */
export async function waitingIn(queue: string, url = testAmqpUrl()): Promise<number> {
  const connection = await amqp.connect(url);
  connection.on('error', () => undefined);
  try {
    return (await (await connection.createChannel()).checkQueue(queue)).messageCount;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
