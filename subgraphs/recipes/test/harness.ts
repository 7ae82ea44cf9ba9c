import { createLogger, type SubgraphOverrides } from '@potluck/service';
import { startSubgraphForTest, useForTestFile } from '@potluck/testing';
import { startRecipesService } from '../src/app.js';
import { loadConfig } from '../src/config.js';

/** The recipes subgraph in-process on a free port, over its own throwaway database. */
export function startRecipesForTest(overrides: SubgraphOverrides = {}, env: Record<string, string> = {}) {
  return startSubgraphForTest(
    'recipes',
    (testEnv) => startRecipesService(loadConfig(testEnv), { logger: createLogger('recipes', 'silent'), ...overrides }),
    env,
  );
}

/** The recipes subgraph for the calling test file: started before its tests, stopped after them. */
export function useRecipesForTest(overrides: SubgraphOverrides = {}, env: Record<string, string> = {}) {
  return useForTestFile(() => startRecipesForTest(overrides, env));
}

/** The service's `/health/ready` report: status code and body. */
export async function readinessOf(service: {
  url: string;
}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(service.url.replace('/graphql', '/health/ready'));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
