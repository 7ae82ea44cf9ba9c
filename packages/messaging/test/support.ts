import amqp from 'amqplib';
import type pg from 'pg';
import { pino } from 'pino';
import { recipeEventFixture, testAmqpUrl } from '@potluck/testing';
import type { InboxTransaction } from '../src/index.js';

export const silent = pino({ level: 'silent' });
export const noFailpoints = () => undefined;

/** A transaction runner over node-postgres with Prisma's `$executeRaw` shape, for the generic consumer. */
export function pgTransactions(pool: pg.Pool) {
  return async <T>(work: (tx: InboxTransaction & { query: pg.PoolClient['query'] }) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const tx = {
        query: client.query.bind(client) as pg.PoolClient['query'],
        async $executeRaw(strings: TemplateStringsArray, ...values: unknown[]) {
          const text = strings.reduce((sql, part, index) => `${sql}$${index}${part}`);
          return (await client.query(text, values)).rowCount ?? 0;
        },
      };
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };
}

/** A recipe event as the recipes service would publish it. */
export const recipeEvent = recipeEventFixture;

/** A plain channel for publishing test messages straight to an exchange, and for inspecting queues. */
export async function openTestChannel() {
  const connection = await amqp.connect(testAmqpUrl());
  connection.on('error', () => undefined);
  const channel = await connection.createConfirmChannel();
  return {
    channel,
    async publish(exchange: string, routingKey: string, body: unknown, messageId: string = crypto.randomUUID()) {
      const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      channel.publish(exchange, routingKey, content, { messageId, persistent: true, contentType: 'application/json' });
      await channel.waitForConfirms();
    },
    close: () => connection.close().catch(() => undefined),
  };
}
