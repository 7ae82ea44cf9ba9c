import { createTestDatabase, type TestDatabase } from './databases.js';
import { freePort } from './ports.js';
import { declareEventExchanges, deleteBrokerTopology, testAmqpUrl, uniqueAmqpPrefix } from './broker.js';
import { actAsGatewayFor, testInternalSecret } from './identities.js';

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
  /** The gateway↔subgraph secret of this run; `graphqlRequest` to `url` signs with it. */
  internalSecret: string;
  stop(): Promise<void>;
}

/**
 * A subgraph in-process on a free port over its own throwaway database and a secret of its
 * own, which `graphqlRequest` signs gateway credentials with. `start` gets the environment to
 * load its config from, as `main.ts` would get `process.env`.
 */
export async function startSubgraphForTest<Db>(
  service: string,
  start: (env: Record<string, string>) => Promise<Running<Db>>,
  extraEnv: Record<string, string> = {},
): Promise<SubgraphUnderTest<Db>> {
  const database: TestDatabase = await createTestDatabase(service);
  const amqpPrefix = uniqueAmqpPrefix();
  const internalSecret = testInternalSecret();
  let forget = () => {};
  const cleanUp = async () => {
    forget();
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
      INTERNAL_AUTH_SECRET: internalSecret,
      ...extraEnv,
    };
    // As the broker's definitions do in Compose: the subgraph runs without the other, whose
    // exchange it would otherwise wait for before consuming.
    if (env.AMQP_PREFIX === amqpPrefix) await declareEventExchanges(amqpPrefix);
    const running = await start(env);
    forget = actAsGatewayFor(running.url, env.INTERNAL_AUTH_SECRET, service);
    return {
      url: running.url,
      prisma: running.db,
      databaseUrl: database.url,
      amqpPrefix,
      internalSecret: env.INTERNAL_AUTH_SECRET,
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
