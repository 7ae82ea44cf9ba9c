import amqp from 'amqplib';
import { brokerNames, declareExchange } from './topology.js';

/**
 * Declares the events exchanges of `producers` under `prefix`, as a deployment's broker
 * definitions do before any service starts (Compose's, the local Kubernetes overlay's): on a
 * broker without them (`npm start`, tests, benchmarks) every consumer then binds its queue at
 * its first connect, instead of waiting for its producer to declare the exchange.
 */
export async function declareEventExchanges(url: string, prefix: string, producers: readonly string[]): Promise<void> {
  const connection = await amqp.connect(url);
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    for (const producer of producers) await declareExchange(channel, brokerNames(prefix).exchange(producer));
  } finally {
    await connection.close().catch(() => undefined);
  }
}
