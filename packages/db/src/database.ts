import pg from 'pg';

/** The database name in a Postgres URL, checked to be a plain identifier we can quote safely. */
export function databaseNameOf(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) {
    throw new Error(`database name "${name}" in the URL must be 1–63 letters, digits, "_" or "-"`);
  }
  return name;
}

/** The same server with another database: used to reach the maintenance database `postgres`. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdminClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the URL's database unless it exists. Returns true when it was created. */
export async function ensureDatabase(databaseUrl: string, template?: string): Promise<boolean> {
  const name = databaseNameOf(databaseUrl);
  return withAdminClient(databaseUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    const from = template ? ` TEMPLATE "${template}"` : '';
    try {
      await client.query(`CREATE DATABASE "${name}"${from}`);
    } catch (error) {
      // Another process created it between our check and our create.
      if ((error as { code?: string }).code === '42P04') return false;
      throw error;
    }
    return true;
  });
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = databaseNameOf(databaseUrl);
  await withAdminClient(databaseUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
