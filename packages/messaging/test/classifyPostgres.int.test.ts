import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTcpProxy, type TestDatabase } from '@potluck/testing';
import { classify } from '../src/index.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('messaging');
});

afterAll(async () => {
  await database.drop();
});

/** What node-postgres throws for `work`, from a client of its own. */
async function failureOf(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<unknown> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await work(client);
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => undefined);
  }
  throw new Error('expected a failure');
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('classify, with what Postgres and node-postgres really throw', () => {
  it('calls a refused connection, a terminated backend and a cut link transient', async () => {
    const refusedUrl = Object.assign(new URL(database.url), { port: String(await closedPort()) }).toString();
    const refused = await failureOf(refusedUrl, async () => undefined);
    const terminated = await failureOf(database.url, (client) =>
      client.query('SELECT pg_terminate_backend(pg_backend_pid())'),
    );
    const proxy = await startTcpProxy(Number(new URL(database.url).port || 5432));
    try {
      const cut = await failureOf(proxy.url(database.url), async (client) => {
        const sleeping = client.query('SELECT pg_sleep(5)');
        setTimeout(() => proxy.cut(), 100);
        await sleeping;
      });
      expect([refused, terminated, cut].map(classify)).toEqual(['transient', 'transient', 'transient']);
    } finally {
      await proxy.close();
    }
  });

  it('calls a constraint violation unknown: retrying a few times is all it gets', async () => {
    const duplicate = await failureOf(database.url, async (client) => {
      await client.query('CREATE TEMP TABLE t (id int PRIMARY KEY)');
      await client.query('INSERT INTO t VALUES (1), (1)');
    });
    expect(classify(duplicate)).toBe('unknown');
  });
});
