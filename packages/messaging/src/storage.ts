import { fileURLToPath } from 'node:url';

/** The channel the outbox trigger notifies on every insert and the relay LISTENs on (see `migrations/`). */
export const OUTBOX_CHANNEL = 'outbox_inserted';

/**
 * How long messaging's own connections may take to open, and the relay's pool to hand out a
 * free one: without a bound, a connect into a network partition waits for the kernel's TCP
 * timeout (minutes), holding up retries and a stop. (Ending a pg client while it connects
 * would leave its connect pending for ever.) The services' Prisma pools have the same bound
 * (`DEFAULT_CONNECT_TIMEOUT_MS` in `@potluck/db`).
 */
export const CONNECT_TIMEOUT_MS = 5000;

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
