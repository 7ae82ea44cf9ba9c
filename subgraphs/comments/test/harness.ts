import { createLogger, type SubgraphOverrides } from '@potluck/service';
import { startSubgraphForTest } from '@potluck/testing';
import { startCommentsService } from '../src/app.js';
import { loadConfig } from '../src/config.js';

/** The comments subgraph in-process on a free port, over its own throwaway database. */
export function startCommentsForTest(overrides: SubgraphOverrides = {}) {
  return startSubgraphForTest('comments', (env) =>
    startCommentsService(loadConfig(env), { logger: createLogger('comments', 'silent'), ...overrides }),
  );
}
