import amqp from 'amqplib';
import { EVENT_PRODUCERS } from './contract/index.js';
import { brokerNames, declareExchange } from './topology.js';

/**
 * Declares every producer's events exchange under `prefix`, as a deployment's broker
 * definitions do before any service starts (Compose's, the local Kubernetes overlay's): on a
 * broker without them (`npm start`, tests, benchmarks) every consumer then binds its queue at
 * its first connect, instead of waiting for its producer to declare the exchange.
 */
export async function declareEventExchanges(url: string, prefix: string): Promise<void> {
  const connection = await amqp.connect(url);
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    for (const producer of EVENT_PRODUCERS) await declareExchange(channel, brokerNames(prefix).exchange(producer));
  } finally {
    await connection.close().catch(() => undefined);
  }
}
