import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@potluck/testing';
import { openServiceDatabase } from '../src/db.js';

/*
 * The service's database: Prisma and the plain reads of the hot paths (`SqlReads`) on one pool,
 * so DATABASE_POOL_SIZE still bounds the service's connections, and one `close` ends both.
 */

let database: TestDatabase;
let observer: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase('recipes');
  observer = new pg.Client({ connectionString: database.url });
  await observer.connect();
});

afterAll(async () => {
  await observer.end();
  await database.drop();
});

/** Connections to the test database other than the observer's own. */
async function serviceConnections(): Promise<number> {
  const { rows } = await observer.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  return rows[0]!.count;
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition never held');
}

it('Prisma and the plain reads share one pool of DATABASE_POOL_SIZE connections', async () => {
  const { prisma, sql, close } = openServiceDatabase(database.url, { poolSize: 2 });
  try {
    let most = 0;
    const busy = [
      ...Array.from({ length: 4 }, () => prisma.$queryRaw`SELECT pg_sleep(0.1)::text`),
      ...Array.from({ length: 4 }, () => sql.rows('SELECT pg_sleep(0.1)', [])),
    ];
    const watching = (async () => {
      for (let look = 0; look < 8; look++) {
        most = Math.max(most, await serviceConnections());
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    await Promise.all([...busy, watching]);
    expect(most).toBe(2);
  } finally {
    await close();
  }
  await waitFor(async () => (await serviceConnections()) === 0);
});

it('hands every plain read to onQuery, as Prisma does its statements', async () => {
  const statements: string[] = [];
  const { sql, close } = openServiceDatabase(database.url, { onQuery: (text) => statements.push(text) });
  try {
    const rows = await sql.rows<{ answer: number }>('SELECT $1::int AS answer', [42]);
    expect(rows).toEqual([{ answer: 42 }]);
    expect(statements).toEqual(['SELECT $1::int AS answer']);
  } finally {
    await close();
  }
});

it('survives the server dropping an idle connection before Prisma ever connected, tells, and reads again', async () => {
  const dropped: Error[] = [];
  const { sql, close } = openServiceDatabase(database.url, {
    poolSize: 1,
    onPoolError: (error) => dropped.push(error),
  });
  try {
    const [first] = await sql.rows<{ pid: number }>('SELECT pg_backend_pid() AS pid', []);
    await observer.query('SELECT pg_terminate_backend($1)', [first!.pid]);
    await waitFor(async () => dropped.length === 1);
    const [again] = await sql.rows<{ pid: number }>('SELECT pg_backend_pid() AS pid', []);
    expect(again!.pid).not.toBe(first!.pid);
  } finally {
    await close();
  }
});

it('closes once, however often asked, and refuses reads after', async () => {
  const { sql, close } = openServiceDatabase(database.url);
  await sql.rows('SELECT 1', []);
  await Promise.all([close(), close()]);
  await close();
  await expect(sql.rows('SELECT 1', [])).rejects.toThrow(/pool/i);
});
