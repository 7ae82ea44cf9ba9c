import { fileURLToPath } from 'node:url';
import { startSubgraph, type Logger, type RunningSubgraph } from '@potluck/service';
import { v7 as uuidv7 } from 'uuid';
import type { RecipesConfig } from './config.js';
import { createPrisma, type PrismaClient } from './db.js';
import { createContext } from './graphql/context.js';
import { resolvers } from './graphql/resolvers.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../../../schema/recipes.graphql', import.meta.url));
export const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

export interface RecipesOverrides {
  clock?: () => Date;
  newId?: () => string;
  onQuery?: (sql: string) => void;
  logger?: Logger;
}

/** Composition root of the recipes subgraph: config in, a running service out. */
export function startRecipesService(
  config: RecipesConfig,
  overrides: RecipesOverrides = {},
): Promise<RunningSubgraph<PrismaClient>> {
  return startSubgraph({
    name: 'recipes',
    schemaFile: SCHEMA_FILE,
    migrationsDir: MIGRATIONS_DIR,
    config,
    logger: overrides.logger,
    openDatabase: () =>
      createPrisma(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE, onQuery: overrides.onQuery }),
    resolvers,
    createContext: (prisma) =>
      createContext({
        prisma,
        clock: overrides.clock ?? (() => new Date()),
        newId: overrides.newId ?? (() => uuidv7()),
      }),
  });
}
