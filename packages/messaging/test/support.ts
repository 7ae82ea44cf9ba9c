import net from 'node:net';
import amqp from 'amqplib';
import type pg from 'pg';
import { pino } from 'pino';
import { createTestDatabase, endPool, openPool, recipeEventFixture, testAmqpUrl } from '@potluck/testing';
import { amqpUser, type InboxTransaction } from '../src/index.js';

export const silent = pino({ level: 'silent' });
export const noFailpoints = () => undefined;

/**
 * A throwaway database with only messaging's migrations applied (its outbox, inbox and
 * trigger, no subgraph's tables), with a pool on it; `close` ends the pool and drops it.
 */
export async function openTestPool() {
  const database = await createTestDatabase('messaging');
  const pool = openPool(database.url);
  const close = async () => {
    await endPool(pool);
    await database.drop();
  };
  return { url: database.url, pool, close };
}

export type TestPool = Awaited<ReturnType<typeof openTestPool>>;

/** A node-postgres transaction with Prisma's `$executeRaw` shape, and `query` for the test's own statements. */
export type PgTransaction = InboxTransaction & { query: pg.PoolClient['query'] };

/** A transaction runner over node-postgres, for the generic consumer and for appending to the outbox. */
export function pgTransactions(pool: pg.Pool) {
  return async <T>(work: (tx: PgTransaction) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const tx = {
        query: client.query.bind(client) as pg.PoolClient['query'],
        async $executeRaw(strings: TemplateStringsArray, ...values: unknown[]) {
          return (await client.query(numberedParameters(strings), values)).rowCount ?? 0;
        },
        async $queryRaw<T>(strings: TemplateStringsArray, ...values: unknown[]) {
          return (await client.query(numberedParameters(strings), values)).rows as T;
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

/** A tagged template's text with `$1`, `$2`… where its values go, as Prisma's raw queries send it. */
function numberedParameters(strings: TemplateStringsArray): string {
  return strings.reduce((sql, part, index) => `${sql}$${index}${part}`);
}

/** A recipe event as the recipes service would publish it. */
export const recipeEvent = recipeEventFixture;

/**
 * A plain channel for publishing test messages straight to an exchange, and for inspecting
 * queues; on `url`'s login (the test broker's by default), which its messages carry as
 * `userId` as the relay's do.
 */
export async function openTestChannel(url = testAmqpUrl()) {
  const connection = await amqp.connect(url);
  connection.on('error', () => undefined);
  const channel = await connection.createConfirmChannel();
  return {
    channel,
    /** `properties` (headers, say) are added to the usual ones: what any publisher could send. */
    async publish(
      exchange: string,
      routingKey: string,
      body: unknown,
      messageId: string = crypto.randomUUID(),
      properties: amqp.Options.Publish = {},
    ) {
      const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      const userId = amqpUser(url);
      const options = { messageId, persistent: true, contentType: 'application/json', userId, ...properties };
      channel.publish(exchange, routingKey, content, options);
      await channel.waitForConfirms();
    },
    close: () => connection.close().catch(() => undefined),
  };
}

export type TestChannel = Awaited<ReturnType<typeof openTestChannel>>;

/**
 * A TCP proxy to RabbitMQ whose `stall` stops reading what the client sends, as a congested
 * link would: the client's socket and channel write buffers fill up and stop draining.
 */
export async function startStallingProxy(targetPort = 5672) {
  const clients = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    clients.add(client);
    for (const socket of [client, upstream]) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clients.delete(client);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const cut = () => clients.forEach((client) => client.destroy());
  return {
    url: (target: string) => Object.assign(new URL(target), { hostname: '127.0.0.1', port: String(port) }).toString(),
    stall: () => clients.forEach((client) => client.unpipe().pause()),
    cut,
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
