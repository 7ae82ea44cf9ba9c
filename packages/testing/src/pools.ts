import pg from 'pg';

/** The connections each pool `openPool` made still has open: `endPool` waits for them. */
const openConnections = new WeakMap<pg.Pool, Set<pg.Client>>();

/**
 * A node-postgres pool on a test's throwaway database. Its `error` listener keeps an idle
 * connection the server ends (the database dropped WITH (FORCE) under it) from becoming an
 * unhandled `error` event that fails the whole run; the next query on the pool still fails loudly.
 */
export function openPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url });
  const open = new Set<pg.Client>();
  openConnections.set(pool, open);
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    open.add(client);
    client.once('end', () => open.delete(client));
  });
  return pool;
}

/**
 * Ends a pool from `openPool` and waits until every one of its connections has closed.
 * `pool.end()` resolves as soon as the pool has let go of its clients, while their sockets
 * are still closing: a database dropped in that moment terminates their backends, and each
 * reads a 57P01.
 */
export async function endPool(pool: pg.Pool, timeoutMs = 5000): Promise<void> {
  const open = openConnections.get(pool);
  if (!open) throw new Error('endPool needs a pool from openPool, which tracks its connections');
  await pool.end();
  const deadline = Date.now() + timeoutMs;
  while (open.size > 0) {
    if (Date.now() > deadline)
      throw new Error(`${open.size} connection(s) still open ${timeoutMs} ms after pool.end()`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
