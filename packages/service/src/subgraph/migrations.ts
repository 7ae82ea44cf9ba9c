import { migrateAll, type MigrateOptions, type MigrateResult } from '@potluck/db';
import { subgraphMigrations } from '@potluck/messaging';

/**
 * Migrates a subgraph's database as every deployment path does (`MIGRATE_ON_START`,
 * `npm run migrate`, test templates): the subgraph's own migrations, then messaging's
 * outbox and inbox, in one run under Prisma's advisory lock.
 */
export function migrateSubgraph(
  databaseUrl: string,
  migrationsDir: string,
  options?: MigrateOptions,
): Promise<MigrateResult> {
  return migrateAll(databaseUrl, subgraphMigrations(migrationsDir), options);
}
