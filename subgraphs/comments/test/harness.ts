import { createLogger } from '@potluck/service';
import { createTestDatabase, type TestDatabase } from '@potluck/testing';
import { startCommentsService, type CommentsOverrides } from '../src/app.js';
import { loadConfig } from '../src/config.js';

/** The comments subgraph in-process on a free port, over its own throwaway database. */
export async function startCommentsForTest(overrides: CommentsOverrides = {}) {
  const database: TestDatabase = await createTestDatabase('comments');
  const config = loadConfig({ DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', MIGRATE_ON_START: 'false' });
  const service = await startCommentsService(config, { logger: createLogger('comments', 'silent'), ...overrides });
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
