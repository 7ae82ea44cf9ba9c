import { createLogger, type SubgraphOverrides } from '@potluck/service';
import { startSubgraphForTest } from '@potluck/testing';
import { startRecipesService } from '../src/app.js';
import { loadConfig } from '../src/config.js';

/** The recipes subgraph in-process on a free port, over its own throwaway database. */
export function startRecipesForTest(overrides: SubgraphOverrides = {}) {
  return startSubgraphForTest('recipes', (env) =>
    startRecipesService(loadConfig(env), { logger: createLogger('recipes', 'silent'), ...overrides }),
  );
}
