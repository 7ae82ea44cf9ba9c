import { createTestDatabase, type TestDatabase } from './databases.js';
import { freePort } from './ports.js';

interface Running<Db> {
  url: string;
  db: Db;
  stop(): Promise<void>;
}

export interface SubgraphUnderTest<Db> {
  url: string;
  prisma: Db;
  databaseUrl: string;
  stop(): Promise<void>;
}

/**
 * A subgraph in-process on a free port over its own throwaway database. `start` gets the
 * environment to load its config from, as `main.ts` would get `process.env`.
 */
export async function startSubgraphForTest<Db>(
  service: string,
  start: (env: Record<string, string>) => Promise<Running<Db>>,
): Promise<SubgraphUnderTest<Db>> {
  const database: TestDatabase = await createTestDatabase(service);
  try {
    const env = {
      DATABASE_URL: database.url,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      MIGRATE_ON_START: 'false',
    };
    const running = await start(env);
    return {
      url: running.url,
      prisma: running.db,
      databaseUrl: database.url,
      async stop() {
        await running.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
