import { createTestDatabase, type TestDatabase } from './databases.js';
import { freePort } from './ports.js';
import { deleteBrokerTopology, testAmqpUrl, uniqueAmqpPrefix } from './broker.js';

interface Running<Db> {
  url: string;
  db: Db;
  stop(): Promise<void>;
}

export interface SubgraphUnderTest<Db> {
  url: string;
  prisma: Db;
  databaseUrl: string;
  amqpPrefix: string;
  stop(): Promise<void>;
}

/**
 * A subgraph in-process on a free port over its own throwaway database. `start` gets the
 * environment to load its config from, as `main.ts` would get `process.env`.
 */
export async function startSubgraphForTest<Db>(
  service: string,
  start: (env: Record<string, string>) => Promise<Running<Db>>,
  extraEnv: Record<string, string> = {},
): Promise<SubgraphUnderTest<Db>> {
  const database: TestDatabase = await createTestDatabase(service);
  const amqpPrefix = uniqueAmqpPrefix();
  const cleanUp = async () => {
    await database.drop();
    await deleteBrokerTopology(amqpPrefix);
  };
  try {
    const env = {
      DATABASE_URL: database.url,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      MIGRATE_ON_START: 'false',
      AMQP_URL: testAmqpUrl(),
      AMQP_PREFIX: amqpPrefix,
      ...extraEnv,
    };
    const running = await start(env);
    return {
      url: running.url,
      prisma: running.db,
      databaseUrl: database.url,
      amqpPrefix,
      async stop() {
        await running.stop();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
