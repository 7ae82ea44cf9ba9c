import { fileURLToPath } from 'node:url';

/** The channel the outbox trigger notifies on every insert and the relay LISTENs on (see `migrations/`). */
export const OUTBOX_CHANNEL = 'outbox_inserted';

/** A folder of Prisma-layout migrations and the prefix its migrations are recorded under. */
export interface MigrationSourceDir {
  dir: string;
  prefix: string;
}

/**
 * Messaging's own migrations: the `outbox` and `inbox` tables and the NOTIFY trigger.
 * Recorded in `_prisma_migrations` as `messaging_<folder>` so they never collide with a
 * subgraph's. They adopt tables a subgraph's older migrations already created.
 */
export const MESSAGING_MIGRATIONS: MigrationSourceDir = {
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
  prefix: 'messaging_',
};

/**
 * What a service's database is migrated with, in order: the subgraph's own migrations,
 * then messaging's (pass them to `migrateAll` from `@potluck/db`).
 */
export function subgraphMigrations(migrationsDir: string): [{ dir: string }, MigrationSourceDir] {
  return [{ dir: migrationsDir }, MESSAGING_MIGRATIONS];
}
