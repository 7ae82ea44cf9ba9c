import { fileURLToPath } from 'node:url';
import { startSubgraph, type SubgraphOverrides } from '@potluck/service';
import type { RecipesConfig } from './config.js';
import { openServiceDatabase } from './db.js';
import { createContext } from './graphql/context.js';
import { CONSUMES_FROM, commentEventHandlers } from './events.js';
import { resolvers } from './graphql/resolvers.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../../../schema/recipes.graphql', import.meta.url));
export const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

/** Composition root of the recipes subgraph: config in, a running service out. */
export function startRecipesService(config: RecipesConfig, overrides: SubgraphOverrides = {}) {
  return startSubgraph({
    name: 'recipes',
    schemaFile: SCHEMA_FILE,
    migrationsDir: MIGRATIONS_DIR,
    config,
    overrides,
    openDatabase: openServiceDatabase,
    resolvers,
    createContext,
    events: () => ({ consumesFrom: CONSUMES_FROM, handlers: commentEventHandlers }),
  });
}
