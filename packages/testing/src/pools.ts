import pg from 'pg';

/**
 * A node-postgres pool on a test's throwaway database. Its `error` listener keeps an idle
 * connection the server ends (the database dropped WITH (FORCE) under it) from becoming an
 * unhandled `error` event that fails the whole run; the next query on the pool still fails loudly.
 */
export function openPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Ends a pool and waits until every one of its connections has closed. `pool.end()` resolves
 * as soon as the pool has let go of its clients, while their sockets are still closing: a
 * database dropped in that moment terminates their backends, and each reads a 57P01.
 */
export async function endPool(pool: pg.Pool): Promise<void> {
  const open = pool.totalCount;
  let closed = 0;
  const allClosed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      closed += 1;
      if (closed === open) resolve();
    });
  });
  await pool.end();
  await allClosed;
}
