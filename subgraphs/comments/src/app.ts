import { fileURLToPath } from 'node:url';
import { startSubgraph, type SubgraphOverrides } from '@potluck/service';
import type { CommentsConfig } from './config.js';
import { openServiceDatabase } from './db.js';
import { createContext } from './graphql/context.js';
import { CONSUMES_FROM, recipeEventHandlers } from './events.js';
import { resolvers } from './graphql/resolvers.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../../../schema/comments.graphql', import.meta.url));
export const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

/** Composition root of the comments subgraph: config in, a running service out. */
export function startCommentsService(config: CommentsConfig, overrides: SubgraphOverrides = {}) {
  return startSubgraph({
    name: 'comments',
    schemaFile: SCHEMA_FILE,
    migrationsDir: MIGRATIONS_DIR,
    config,
    overrides,
    openDatabase: openServiceDatabase,
    resolvers,
    createContext: (deps, viewer) => createContext({ ...deps, recipeWaitMs: config.RECIPE_WAIT_MS }, viewer),
    events: (deps) => ({ consumesFrom: CONSUMES_FROM, handlers: recipeEventHandlers(deps) }),
  });
}
