import pg from 'pg';

export type Row = Record<string, unknown>;

/** Runs one SQL statement on a database (a test's or benchmark's throwaway one) and returns its rows. */
export async function queryRows(url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}
