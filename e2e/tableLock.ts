import pg from 'pg';

export interface TableLock {
  /** How many other sessions of the database wait on a lock. */
  waiters(): Promise<number>;
  /** Commits and disconnects; later calls do nothing. */
  release(): Promise<void>;
}

/** Holds an exclusive lock on `table` from a separate connection: every use of it waits. */
export async function lockTable(databaseUrl: string, table: string): Promise<TableLock> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  let released = false;
  return {
    async waiters() {
      // Inside a transaction Postgres keeps showing the first snapshot of pg_stat_activity.
      await client.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await client.query<{ count: number }>(
        "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
      );
      return rows[0]!.count;
    },
    async release() {
      if (released) return;
      released = true;
      await client.query('COMMIT');
      await client.end();
    },
  };
}
