import { createTestDatabase, freePort, type TestDatabase } from '@potluck/testing';
import { spawnService, stopService, waitForHttpOk, type ServiceName, type ServiceProcess } from '../scripts/stack.js';

export interface TestStack {
  gatewayUrl: string;
  recipesUrl: string;
  commentsUrl: string;
  /** Every line the services printed, prefixed with their name: shown when a test fails. */
  logs: string[];
  processes: ServiceProcess[];
  stop(): Promise<Array<number | null>>;
}

/**
 * The whole stack as `npm start` runs it, as separate processes on free ports, over
 * throwaway databases. Each service applies its migrations at start, as in production.
 */
export async function startStack(
  extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {},
): Promise<TestStack> {
  const databases: TestDatabase[] = await Promise.all([createTestDatabase('recipes'), createTestDatabase('comments')]);
  const [recipesDb, commentsDb] = databases as [TestDatabase, TestDatabase];
  const [gatewayPort, recipesPort, commentsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const recipesUrl = `http://127.0.0.1:${recipesPort}/graphql`;
  const commentsUrl = `http://127.0.0.1:${commentsPort}/graphql`;
  const logs: string[] = [];
  const collect = (name: ServiceName, line: string) => void logs.push(`[${name}] ${line}`);
  const common = { HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  const processes = [
    spawnService(
      'recipes',
      { ...common, PORT: String(recipesPort), DATABASE_URL: recipesDb.url, ...extraEnv.recipes },
      collect,
    ),
    spawnService(
      'comments',
      { ...common, PORT: String(commentsPort), DATABASE_URL: commentsDb.url, ...extraEnv.comments },
      collect,
    ),
    spawnService(
      'gateway',
      { ...common, PORT: String(gatewayPort), RECIPES_URL: recipesUrl, COMMENTS_URL: commentsUrl, ...extraEnv.gateway },
      collect,
    ),
  ];
  const stop = async () => {
    const codes = await Promise.all(processes.map((service) => stopService(service)));
    await Promise.all(databases.map((database) => database.drop()));
    return codes;
  };
  try {
    await waitForHttpOk(`http://127.0.0.1:${gatewayPort}/health/ready`, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`the stack did not become ready: ${(error as Error).message}\n${logs.join('\n')}`, {
      cause: error,
    });
  }
  return { gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`, recipesUrl, commentsUrl, logs, processes, stop };
}
