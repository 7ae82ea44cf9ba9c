import { createLogger } from '@potluck/service';
import { createTestDatabase, type TestDatabase } from '@potluck/testing';
import { startRecipesService, type RecipesOverrides } from '../src/app.js';
import { loadConfig } from '../src/config.js';

/** The recipes subgraph in-process on a free port, over its own throwaway database. */
export async function startRecipesForTest(overrides: RecipesOverrides = {}) {
  const database: TestDatabase = await createTestDatabase('recipes');
  const config = loadConfig({ DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', MIGRATE_ON_START: 'false' });
  const service = await startRecipesService(config, { logger: createLogger('recipes', 'silent'), ...overrides });
  return {
    url: service.url,
    prisma: service.db,
    databaseUrl: database.url,
    async stop() {
      await service.stop();
      await database.drop();
    },
  };
}
